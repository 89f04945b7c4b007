package respond

import (
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func TestSummary(t *testing.T) {
	low := alert.Action{Type: "block_ip", Risk: alert.RiskLow}
	high := alert.Action{Type: "isolate_host", Risk: alert.RiskHigh, RequiresApproval: true}
	for _, c := range []struct {
		name, mode string
		d          alert.Disposition
		actions    []alert.Action
		want       string
	}{
		{"auto-close says nothing", "assisted", alert.AutoClose, nil, ""},
		{"none", "assisted", alert.Review, nil, "No response action proposed."},
		{"shadow", "shadow", alert.Escalate, []alert.Action{low, high}, "Shadow mode: 2 action(s) recorded, none executed."},
		{"unknown mode is shadow", "bogus", alert.Escalate, []alert.Action{low}, "Shadow mode: 1 action(s) recorded, none executed."},
		{"assisted", "assisted", alert.Escalate, []alert.Action{low, high}, "2 action(s) proposed, 1 awaiting approval; none executed."},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Summary(c.mode, c.d, c.actions); got != c.want {
				t.Errorf("Summary = %q, want %q", got, c.want)
			}
		})
	}
}
