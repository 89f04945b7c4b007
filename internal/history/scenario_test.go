package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// noise is background activity of a tenant on hosts and rules no scenario
// probes: n alerts, one every 2 hours from day 0, so the tenant warms up.
func noise(tenant string, n int) []ev {
	return series(n, func(i int) ev {
		return ev{tenant: tenant, id: tenant + "-noise-" + itoa(i), at: day(0, 2*i, 5),
			rule: "noise", host: "noise-" + itoa(i%5), disp: alert.Review}
	})
}

func itoa(i int) string { return fmt.Sprintf("%03d", i) }

// closures are n alerts of one rule on one host, auto-closed, hourly on
// day d.
func closures(prefix string, n, d int, rule, host string, disp alert.Disposition) []ev {
	return series(n, func(i int) ev {
		return ev{id: prefix + itoa(i), at: day(d, 8+i%12, 30), rule: rule, host: host, disp: disp}
	})
}

type wantFactor struct {
	name    string
	contrib float64
	detail  string // a substring of the detail
}

func cat(parts ...[]ev) []ev {
	var out []ev
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestScenarios(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	// svc is the reference deviation case: a service account that only
	// ever talks to one backup server at 22:10, nightly for two weeks,
	// each logon auto-closed.
	svc := series(14, func(i int) ev {
		return ev{id: "svc-" + itoa(i), at: time.Date(2026, 3, 2+i, 22, 10, 0, 0, paris), rule: "smb-admin-logon",
			user: `corp\svc_backup`, host: "srv-app01", dsts: []string{"backup01"}, disp: alert.AutoClose}
	})
	// 36 hours before the attack, a PowerShell alert on the marketing
	// workstation was closed as a false positive.
	ps := ev{id: "ps-1", at: time.Date(2026, 3, 15, 14, 47, 0, 0, paris), rule: "powershell-encoded",
		host: "mkt-ws01", user: `corp\j.doe`, disp: alert.AutoClose}
	attack := ev{id: "attack-1", at: time.Date(2026, 3, 17, 2, 47, 0, 0, paris), rule: "smb-admin-logon",
		user: `corp\svc_backup`, host: "mkt-ws01", dsts: []string{"dc01", "fs01", "sql01"}}

	tests := []struct {
		name    string
		cfg     Config
		loc     *time.Location
		tweak   func(*Weights)
		history []ev
		fbs     []feedback
		probe   ev
		want    []wantFactor
	}{
		{
			name:    "warm-up by count suppresses novelty",
			cfg:     Config{WarmUpAlerts: 50, WarmUpPeriod: time.Hour},
			history: noise("acme", 20),
			probe:   ev{id: "p", at: day(3, 10, 0), rule: "noise", host: "ws-new", user: "bob"},
		},
		{
			name:    "warm-up by time suppresses novelty",
			cfg:     Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			history: series(30, func(i int) ev { return ev{id: "n" + itoa(i), at: day(0, 0, 5*i), rule: "noise", host: "h1"} }),
			probe:   ev{id: "p", at: day(0, 6, 0), rule: "noise", host: "ws-new", user: "bob"},
		},
		{
			name:    "novelty after warm-up names each new entity, capped",
			cfg:     Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			history: noise("acme", 30),
			probe:   ev{id: "p", at: day(3, 10, 0), rule: "brand-new-rule", host: "ws-new", user: "bob"},
			want:    []wantFactor{{FactorNovelty, 12, "host ws-new, user bob, rule wazuh:brand-new-rule"}},
		},
		{
			name:    "known entities are not novel",
			cfg:     Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			history: noise("acme", 30),
			probe:   ev{id: "p", at: day(3, 10, 0), rule: "noise", host: "NOISE-003"},
		},
		{
			name:    "service account at 02:47 to new servers deviates; its benign nightly pattern does not excuse it",
			cfg:     Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			loc:     paris,
			history: cat(noise("acme", 30), svc, []ev{ps}),
			probe:   attack,
			want: []wantFactor{{FactorBaselineDeviation, 18,
				`user corp\svc_backup active at 02:47 CET, never within 1 h of that hour on its 14 active days (usual hours 22:00-22:59); ` +
					`user corp\svc_backup reached new dc01, fs01, sql01, its 14 earlier connections went only to backup01`}},
		},
		{
			name:    "the usual nightly logon is a recurring benign pattern",
			cfg:     Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			loc:     paris,
			history: cat(noise("acme", 30), svc),
			probe: ev{id: "p", at: time.Date(2026, 3, 16, 22, 12, 0, 0, paris), rule: "smb-admin-logon",
				user: `corp\svc_backup`, host: "srv-app01", dsts: []string{"backup01"}},
			want: []wantFactor{{FactorSimilarBenign, -15, "on host srv-app01 was auto-closed or judged benign 14 times in the last 30 days"}},
		},
		{
			name: "usual hours follow the tenant's local time across a DST change",
			loc:  paris,
			// With no tolerance, 22:20 local is usual but 21:20 (the UTC
			// hour of the earlier logons) would not be.
			tweak: func(w *Weights) { w.hourTolerance = 0 },
			history: series(8, func(i int) ev {
				return ev{id: "dst-" + itoa(i), at: time.Date(2026, 3, 21+i, 22, 10, 0, 0, paris), rule: "r", user: "svc"}
			}),
			probe: ev{id: "p", at: time.Date(2026, 4, 2, 22, 20, 0, 0, paris), rule: "r", user: "svc"},
		},
		{
			name:  "an hour off the local baseline deviates",
			loc:   paris,
			tweak: func(w *Weights) { w.hourTolerance = 0 },
			history: series(8, func(i int) ev {
				return ev{id: "dst-" + itoa(i), at: time.Date(2026, 3, 21+i, 22, 10, 0, 0, paris), rule: "r", user: "svc"}
			}),
			probe: ev{id: "p", at: time.Date(2026, 4, 2, 21, 20, 0, 0, paris), rule: "r", user: "svc"},
			want:  []wantFactor{{FactorBaselineDeviation, 8, "user svc active at 21:20 CEST, never within 0 h of that hour on its 8 active days (usual hours 22:00-22:59)"}},
		},
		{
			name:    "two closures are not yet a pattern",
			history: closures("c", 2, 0, "r1", "web01", alert.AutoClose),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
		},
		{
			name:    "three closures make a pattern",
			history: closures("c", 3, 0, "r1", "web01", alert.AutoClose),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
			want:    []wantFactor{{FactorSimilarBenign, -8, "rule wazuh:r1 on host web01 was auto-closed or judged benign 3 times"}},
		},
		{
			name:    "further closures strengthen it",
			history: closures("c", 6, 0, "r1", "web01", alert.AutoClose),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
			want:    []wantFactor{{FactorSimilarBenign, -11, "6 times"}},
		},
		{
			name:    "the same rule on another host is not the pattern",
			history: closures("c", 6, 0, "r1", "web01", alert.AutoClose),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web02"},
		},
		{
			name:    "analyst false positives make a pattern of reviewed alerts",
			history: closures("c", 3, 0, "r1", "web01", alert.Review),
			fbs: []feedback{{after: 0, id: "c000", v: alert.FalsePositive}, {after: 1, id: "c001", v: alert.BenignPositive},
				{after: 2, id: "c002", v: alert.FalsePositive}},
			probe: ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
			want:  []wantFactor{{FactorSimilarBenign, -8, "3 times"}},
		},
		{
			name:    "needs_review feedback takes a closure out of the pattern",
			history: closures("c", 3, 0, "r1", "web01", alert.AutoClose),
			fbs:     []feedback{{after: 2, id: "c001", v: alert.NeedsReview}},
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
		},
		{
			name:    "a confirmed true positive ends the benign pattern",
			history: closures("c", 5, 0, "r1", "web01", alert.AutoClose),
			fbs:     []feedback{{after: 4, id: "c003", v: alert.TruePositive}},
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web01"},
			want:    []wantFactor{{FactorSimilarMalicious, 20, "rule wazuh:r1 on host web01 was escalated or confirmed malicious 1 times"}},
		},
		{
			name:    "an escalation on the entity under another rule",
			history: closures("c", 1, 0, "r1", "web01", alert.Escalate),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r2", host: "web01"},
			want:    []wantFactor{{FactorSimilarMalicious, 12, "host web01 had 1 alerts escalated or confirmed malicious"}},
		},
		{
			name:    "an escalation of the rule on another entity",
			history: closures("c", 1, 0, "r1", "web01", alert.Escalate),
			probe:   ev{id: "p", at: day(1, 9, 0), rule: "r1", host: "web02"},
			want:    []wantFactor{{FactorSimilarMalicious, 6, "rule wazuh:r1 was escalated or confirmed malicious 1 times"}},
		},
		{
			name:    "closures older than the window are forgotten",
			cfg:     Config{WarmUpAlerts: 1, WarmUpPeriod: time.Hour},
			history: cat(closures("c", 5, 0, "r1", "web01", alert.AutoClose), closures("x", 1, 31, "other", "web09", alert.Review)),
			probe:   ev{id: "p", at: day(31, 12, 0), rule: "r1", host: "web01"},
			want:    []wantFactor{{FactorNovelty, 9, "host web01, rule wazuh:r1"}},
		},
		{
			name: "a source with many peers has no stable set",
			history: series(10, func(i int) ev {
				return ev{id: "m" + itoa(i), at: day(0, 9, i), rule: "r", user: "ops", dsts: []string{"srv" + itoa(i%5)}}
			}),
			probe: ev{id: "p", at: day(0, 10, 0), rule: "r", user: "ops", dsts: []string{"dc01"}},
		},
		{
			name: "a source with a stable peer reaching a new one",
			history: series(6, func(i int) ev {
				return ev{id: "m" + itoa(i), at: day(0, 9, i), rule: "r", user: "svc", dsts: []string{"backup01"}}
			}),
			probe: ev{id: "p", at: day(0, 10, 0), rule: "r", user: "svc", dsts: []string{"dc01", "backup01"}},
			want:  []wantFactor{{FactorBaselineDeviation, 10, "user svc reached new dc01, its 6 earlier connections went only to backup01"}},
		},
		{
			name: "tenants never share history",
			cfg:  Config{WarmUpAlerts: 10, WarmUpPeriod: 24 * time.Hour},
			history: cat(noise("acme", 30), series(6, func(i int) ev {
				return ev{tenant: "globex", id: "g" + itoa(i), at: day(1, 9, i), rule: "r1", host: "web01", user: "svc",
					dsts: []string{"backup01"}, disp: []alert.Disposition{alert.AutoClose, alert.Escalate}[i%2]}
			})),
			probe: ev{id: "p", at: day(3, 9, 0), rule: "r1", host: "web01", user: "svc", dsts: []string{"dc01"}},
			want:  []wantFactor{{FactorNovelty, 12, "host web01, user svc, rule wazuh:r1"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if cfg == (Config{}) {
				cfg = Config{WarmUpAlerts: 1 << 30}
			}
			w := defaultWeights(t)
			if tc.tweak != nil {
				tc.tweak(w)
			}
			tr := New(cfg, w)
			play(t, tr, tc.history, tc.fbs, tc.loc)
			a := tc.probe.alert()
			got := tr.Assess(a, nil, tc.loc)
			if len(got.Factors) != len(tc.want) {
				t.Fatalf("factors %s, want %d: %v\nsummary: %s", factorNames(got), len(tc.want), tc.want, got.Summary)
			}
			for i, wf := range tc.want {
				f := got.Factors[i]
				if f.Name != wf.name || f.Contribution != wf.contrib || !strings.Contains(f.Detail, wf.detail) {
					t.Errorf("factor %d = %+v\nwant %s=%v with detail containing %q", i, f, wf.name, wf.contrib, wf.detail)
				}
			}
			// Assess must not record: a second call gives the same answer.
			if again := tr.Assess(a, nil, tc.loc); factorNames(again) != factorNames(got) || again.Summary != got.Summary {
				t.Errorf("second Assess differs: %s vs %s", factorNames(again), factorNames(got))
			}
		})
	}
}
