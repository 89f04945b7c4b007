// Package threatfox enriches IPs, domains, URLs and file hashes from
// abuse.ch ThreatFox (POST {"query":"search_ioc"} or {"query":"search_hash"}
// to https://threatfox-api.abuse.ch/api/v1/ with the Auth-Key header). It only
// ever calls its configured base URL and never logs, returns or echoes the
// key. Every IOC record that matches the observable exactly (an IP also
// matches its "ip:port" records) becomes one finding: malicious when the
// reporter's confidence_level reaches the configured threshold, suspicious
// below it, with the malware family, threat type, tags and sighting dates.
package threatfox
