package normalize

import "testing"

// TestDetectSentinel: every row of the SecRL CSV exports (the MDO email
// alerts included) is sentinel, and no other sample is.
func TestDetectSentinel(t *testing.T) {
	own := map[string]bool{}
	for _, f := range sentinelSamples {
		own[f] = true
	}
	detectTable(t, "sentinel", own)
}
