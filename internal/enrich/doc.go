// Package enrich attaches evidence to observables. The offline enricher
// looks every observable up in the loaded intel store; it does no I/O per
// alert and is deterministic for a given store. Online providers
// (connector.Enricher) are wrapped by the host's governor: Observed over
// Cached over Guarded over Limited, so that a cache hit costs no quota, every
// upstream call is counted against the provider's rate and quota, retries
// happen only for retryable failures, and a provider that is down, slow,
// rate-limited or spent changes nothing but the evidence: Online.Enrich
// always returns, within the per-alert deadline, with the findings merged in
// a stable order (provider reliability, then name) and the missing evidence
// named in its notes. The organisation's own infrastructure (internal
// domains, private and loopback addresses) is never sent to a provider.
package enrich
