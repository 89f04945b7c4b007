// Package enrich attaches evidence to observables. The offline enricher here
// looks every observable up in the loaded intel store; it does no I/O per
// alert and is deterministic for a given store. Online providers (issue
// tracker: threat-intel connectors) will join here behind the host's cache,
// quota and rate governor.
package enrich
