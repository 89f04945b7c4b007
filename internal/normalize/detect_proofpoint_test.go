package normalize

import "testing"

func TestDetectProofpoint(t *testing.T) {
	crowdstrikeDetectTable(t, "proofpoint", proofpointSamples)
}
