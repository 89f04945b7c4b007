// Package shodan is the Shodan host enricher: it looks one IP address up
// with GET /shodan/host/{ip}?key= below the configured base URL and turns
// the host's tags, open ports, vulnerabilities, organisation, ASN and
// hostnames into one typed finding: malicious when Shodan tags the host as
// malware, C2 or compromised, suspicious for a scanner, context otherwise.
// Shodan takes the key as a query parameter, so every error is redacted
// before it leaves the package. Hostnames and the ASN are kept as
// "hostname:" and "asn:" categories, from which the host's governor builds
// relations; caching, quota, rate and retries are the host's.
package shodan
