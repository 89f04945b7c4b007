// Package misp is the enricher for MISP: it looks one observable up with
// MISP's /attributes/restSearch and turns the matching attributes, their
// event and attribute tags and their sightings into one typed finding.
//
// Invariants: the connector only ever calls its configured base URL (the
// observable travels in the JSON body, never as a URL to fetch), sends the
// API key only in the Authorization header and never logs, returns or
// echoes it (errors pass through Secret.Redact); it does no caching,
// retrying or rate limiting, which the host owns, and it is safe for
// concurrent use.
package misp
