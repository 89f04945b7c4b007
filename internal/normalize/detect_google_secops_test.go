package normalize

import "testing"

func TestDetectGoogleSecops(t *testing.T) {
	crowdstrikeDetectTable(t, "google_secops", googleSecopsSamples)
	t.Run("own/api_detections.jsonl", func(t *testing.T) {
		for i, line := range googleSecopsAPILines(t) {
			if f, err := Detect(line); err != nil || f.Name() != "google_secops" {
				t.Errorf("line %d: Detect = %v, %v; want google_secops", i+1, f, err)
			}
		}
	})
}
