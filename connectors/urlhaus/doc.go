// Package urlhaus enriches URLs, hosts (domains and IPs) and payload hashes
// from abuse.ch URLhaus (form POSTs to /v1/url/, /v1/host/ and /v1/payload/
// below https://urlhaus-api.abuse.ch with the Auth-Key header). It only ever
// calls its configured base URL, never the URL being looked up, and never
// logs, returns or echoes the key. Anything URLhaus lists is malicious: with
// high confidence while a URL is online, lower once every listed URL is
// offline; query_status "no_results" yields no finding.
package urlhaus
