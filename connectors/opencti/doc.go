// Package opencti is the enricher for OpenCTI: one GraphQL request per
// observable asks for the cyber observables whose value equals it and the
// indicators that name it or whose pattern contains it, and their
// x_opencti_score becomes the verdict and confidence of one typed finding.
//
// Invariants: the connector only ever posts to {base_url}/graphql (the
// observable travels as a GraphQL variable, never as a URL to fetch), sends
// the API token only as a Bearer Authorization header and never logs,
// returns or echoes it; it does no caching, retrying or rate limiting,
// which the host owns, and it is safe for concurrent use.
package opencti
