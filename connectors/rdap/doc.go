// Package rdap enriches domains and IP addresses with registration facts
// from RDAP (RFC 9082/9083): the registration date, the registrar, and the
// network's name, handle and country. The authoritative RDAP server for an
// observable is found through the IANA bootstrap registry (RFC 9224:
// dns.json, ipv4.json, ipv6.json), loaded from the configured URL or local
// directory and kept in memory; the connector only ever calls the bootstrap
// location and the servers the bootstrap names, never a URL from an alert or
// a link inside an RDAP answer. Findings are "context", except that a domain
// registered fewer than newly_registered_days before the lookup is
// suspicious with category "newly_registered"; a domain finding carries
// FirstSeen = registration date so that scoring can reason about its age.
package rdap
