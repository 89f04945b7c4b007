package normalize

import "testing"

// TestDetectMsgraph: the Graph docs list responses are msgraph; the
// Defender XDR incidents (incidentName, not displayName) and every other
// sample are not.
func TestDetectMsgraph(t *testing.T) {
	own := map[string]bool{}
	for _, f := range msgraphSamples {
		own[f] = true
	}
	detectTable(t, "msgraph", own)
}
