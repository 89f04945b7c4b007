// Package virustotal is the VirusTotal API v3 enricher: it looks IP
// addresses, domains, URLs and file hashes up with one GET below the
// configured base URL (x-apikey header) and turns the object's
// last_analysis_stats, reputation, categories and threat classification
// into one typed finding. It never fetches the observable itself, only
// names it to its own API; "not found" is no finding; errors carry the
// SDK's kinds and never the key. Caching, quota, rate and retries are the
// host's.
package virustotal
