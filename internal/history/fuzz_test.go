package history

import (
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// FuzzTracker feeds arbitrary entity values and times to one tenant and
// checks the invariants that must hold whatever the input: no panic, the
// other tenant's assessment is unchanged, and Assess is repeatable.
func FuzzTracker(f *testing.F) {
	f.Add("MKT-WS01", `CORP\svc_backup`, "10.0.0.5", "dc01", "smb-admin-logon", int64(0), uint8(3))
	f.Add("", "", "", "", "", int64(-1<<40), uint8(0))
	f.Add("h", "u", "::1", "h", "r", int64(1<<40), uint8(255))
	w := defaultWeights(f)
	f.Fuzz(func(t *testing.T, host, user, src, dst, rule string, offset int64, n uint8) {
		tr := New(Config{WarmUpAlerts: 1, WarmUpPeriod: time.Minute, MaxPeers: 2}, w)
		other := ev{tenant: "globex", id: "g1", at: t0, rule: "r", host: "h", user: "u", dsts: []string{"dc01"}}
		tr.Record(other.alert(), nil, other.decision(), nil)
		probe := other
		probe.at = t0.Add(time.Hour)
		before := tr.Assess(probe.alert(), nil, nil)

		base := t0.Add(time.Duration(offset) * time.Second)
		disps := []alert.Disposition{alert.AutoClose, alert.Escalate, alert.Review, ""}
		for i := range int(n % 16) {
			e := ev{tenant: "acme", id: string(rune('a' + i)), at: base.Add(time.Duration(i) * 7 * time.Hour),
				rule: rule, host: host, user: user, src: src, dsts: []string{dst, host}, disp: disps[i%len(disps)]}
			a := e.alert()
			first := tr.Assess(a, nil, time.UTC)
			if again := tr.Assess(a, nil, time.UTC); factorNames(first) != factorNames(again) {
				t.Fatalf("Assess is not repeatable: %s vs %s", factorNames(first), factorNames(again))
			}
			tr.Record(a, nil, e.decision(), time.UTC)
			if i%3 == 2 {
				tr.Feedback("acme", e.id, alert.TruePositive)
			}
		}
		after := tr.Assess(probe.alert(), nil, nil)
		if factorNames(before) != factorNames(after) || before.Summary != after.Summary {
			t.Fatalf("tenant acme changed globex's assessment:\n%+v\n%+v", before, after)
		}
	})
}
