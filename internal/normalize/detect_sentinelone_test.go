package normalize

import "testing"

func TestDetectSentinelone(t *testing.T) {
	crowdstrikeDetectTable(t, "sentinelone", sentineloneSamples)
}
