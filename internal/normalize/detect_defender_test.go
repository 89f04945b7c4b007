package normalize

import "testing"

// TestDetectDefender: the Defender XDR incident list and the single
// OfficeATP incident are defender; the Graph responses and every other
// sample are not.
func TestDetectDefender(t *testing.T) {
	own := map[string]bool{}
	for _, f := range defenderSamples {
		own[f] = true
	}
	detectTable(t, "defender", own)
}
