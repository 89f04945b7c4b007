package alert

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSeverityRank(t *testing.T) {
	for _, c := range []struct {
		s    Severity
		rank int
	}{
		{SeverityInfo, 1}, {SeverityLow, 2}, {SeverityMedium, 3}, {SeverityHigh, 4}, {SeverityCritical, 5}, {"bogus", 0},
	} {
		t.Run(string(c.s), func(t *testing.T) {
			if got := c.s.Rank(); got != c.rank {
				t.Errorf("Rank() = %d, want %d", got, c.rank)
			}
			if c.rank > 0 && SeverityFromRank(c.rank) != c.s {
				t.Errorf("SeverityFromRank(%d) = %s, want %s", c.rank, SeverityFromRank(c.rank), c.s)
			}
		})
	}
	if SeverityFromRank(-3) != SeverityInfo || SeverityFromRank(9) != SeverityCritical {
		t.Error("out-of-range ranks are not clamped")
	}
}

func TestContentID(t *testing.T) {
	a := ContentID("suricata", []byte(`{"x":1}`))
	if a != ContentID("suricata", []byte(`{"x":1}`)) {
		t.Fatal("ContentID is not stable")
	}
	if !strings.HasPrefix(a, "suricata-") || len(a) != len("suricata-")+32 {
		t.Errorf("ContentID = %q, want suricata- and 32 hex digits", a)
	}
	for _, other := range []string{ContentID("suricata", []byte(`{"x":2}`)), ContentID("wazuh", []byte(`{"x":1}`))} {
		if other == a {
			t.Errorf("different inputs share the ID %s", a)
		}
	}
	// The separator keeps ("ab", "c") and ("a", "bc") apart.
	if ContentID("ab", []byte("c"))[3:] == ContentID("a", []byte("bc"))[2:] {
		t.Error("source and payload are not separated in the hash")
	}
}

// TestDecisionFieldOrder pins the JSON key order of the output contract.
func TestDecisionFieldOrder(t *testing.T) {
	b, err := json.Marshal(Decision{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alert_id", "tenant", "source", "time", "title", "verdict", "disposition", "severity",
		"priority", "score", "factors", "observables", "techniques", "incident_id", "actions", "reasoning"}
	s := string(b)
	last := -1
	for _, k := range want {
		i := strings.Index(s, `"`+k+`":`)
		if i < 0 || i < last {
			t.Fatalf("key %q missing or out of order in %s", k, s)
		}
		last = i
	}
	if !strings.Contains(s, `"incident_id":null`) {
		t.Errorf("incident_id must be null when unset: %s", s)
	}
}
