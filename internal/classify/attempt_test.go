package classify

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/score"
)

// TestAuthFailureAttempt checks that a failed-authentication-only alert is
// never escalated and at most low, while a success is judged on its score.
func TestAuthFailureAttempt(t *testing.T) {
	failures := alert.Alert{Title: "sshd: brute force trying to get access to the system. Authentication failed.",
		Severity: alert.SeverityHigh, Rule: alert.Rule{ID: "5763", Tags: []string{"sshd", "authentication_failures"}}}
	success := alert.Alert{Title: "sshd: authentication success.",
		Severity: alert.SeverityHigh, Rule: alert.Rule{ID: "5715", Tags: []string{"sshd", "authentication_success"}}}
	tests := []struct {
		name     string
		a        alert.Alert
		score    int
		disp     alert.Disposition
		sev      alert.Severity
		prio     alert.Priority
		note     bool
		escalate bool
	}{
		{"failures above escalate are investigated", failures, 95, alert.Investigate, alert.SeverityLow, alert.P2, true, false},
		{"failures in the investigate band stay", failures, 60, alert.Investigate, alert.SeverityLow, alert.P2, true, false},
		{"failures in the review band stay", failures, 30, alert.Review, alert.SeverityLow, alert.P3, true, false},
		{"failures below review auto-close", failures, 10, alert.AutoClose, alert.SeverityLow, alert.P4, true, false},
		{"success above escalate escalates", success, 95, alert.Escalate, alert.SeverityCritical, alert.P1, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.a
			r := Classify(Policy{Mode: Assisted}, &Input{Score: scored(tt.score, "brute_force"), Alert: &a,
				Asset: score.AssetContext{Name: "web01", Criticality: "high"}})
			if r.Disposition != tt.disp || r.Severity != tt.sev || r.Priority != tt.prio {
				t.Errorf("got %s/%s/%s, want %s/%s/%s", r.Disposition, r.Severity, r.Priority, tt.disp, tt.sev, tt.prio)
			}
			if got := strings.Contains(r.Reasoning, "Only failed authentication was seen"); got != tt.note {
				t.Errorf("attempt note present = %v, want %v: %s", got, tt.note, r.Reasoning)
			}
			if got := strings.Contains(r.Reasoning, "rather than escalated"); got != (tt.score > 75 && tt.note) {
				t.Errorf("cap note present = %v: %s", got, r.Reasoning)
			}
			if (r.Disposition == alert.Escalate) != tt.escalate {
				t.Errorf("escalated = %v, want %v", r.Disposition == alert.Escalate, tt.escalate)
			}
		})
	}
}
