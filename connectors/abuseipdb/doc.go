// Package abuseipdb is the AbuseIPDB APIv2 enricher: it checks one IP
// address with GET /api/v2/check below the configured base URL (Key
// header) and turns the abuse confidence score, report count, Tor flag and
// whitelist flag into one typed finding. An address nobody reported is no
// finding; a whitelisted one is benign; otherwise the score bands of the
// configuration give the verdict. Errors carry the SDK's kinds and never
// the key. Caching, quota, rate and retries are the host's.
package abuseipdb
