package normalize

import "testing"

// TestDetectOCSF: the *.ocsf.json samples are OCSF; the vendor-native
// *.raw.json files beside them, and every other sample, are not.
func TestDetectOCSF(t *testing.T) {
	own := map[string]bool{}
	for _, f := range ocsfSamples {
		own[f] = true
	}
	detectTable(t, "ocsf", own)
}
