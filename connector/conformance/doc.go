// Package conformance is the test suite every connector.Enricher must pass:
// against an HTTP server on loopback that replays the vendor's documented
// payloads, it checks that hits become findings under the enricher's own
// name, that "not found" is no finding and no error, that refusals, rate
// limits, server errors and garbage map to the SDK's error kinds, that a
// slow provider gives way to the caller's context, that unsupported types
// fail without a request, that concurrent use is safe, that no goroutine
// leaks, that the credential never appears in an error, a log line or a
// finding, and that requests go only to the configured base URL's host.
//
// The suite's checks return errors rather than failing a test directly, so
// the suite itself is tested against enrichers that break each rule.
package conformance
