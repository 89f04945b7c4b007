package correlate

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// ATT&CK techniques used in the scenarios, with their real tactics.
const (
	powershell = "T1059.001" // execution
	smbShares  = "T1021.002" // lateral-movement
	lsass      = "T1003.001" // credential-access
	phishing   = "T1566.001" // initial-access
)

func TestKillChain(t *testing.T) {
	const sha = "0f5c0d4a8b3e4f1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9"
	cfg := DefaultConfig()
	cfg.IgnoreIPs = []string{"10.0.0.53/32", "172.16.0.0/24"}
	day := 24 * time.Hour
	for _, c := range []struct {
		name   string
		alerts []in
		want   [][]string
	}{
		{"execution then lateral movement on one host", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, hosts: []string{"ws-07"}, techs: []string{smbShares}},
		}, [][]string{{"x", "y"}}},
		{"lateral movement then execution does not advance", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{smbShares}},
			{id: "y", at: time.Hour, hosts: []string{"ws-07"}, techs: []string{powershell}},
		}, nil},
		{"the same tactic twice does not advance", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, hosts: []string{"ws-07"}, techs: []string{powershell}},
		}, nil},
		{"alerts without techniques do not advance", []in{
			{id: "x", hosts: []string{"ws-07"}},
			{id: "y", at: time.Hour, hosts: []string{"ws-07"}},
		}, nil},
		{"three advancing tactics make one incident", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, hosts: []string{"ws-07"}, users: []string{"svc_sql"}, techs: []string{smbShares}},
			{id: "z", at: 2 * time.Hour, hosts: []string{"dc-01"}, users: []string{"svc_sql"}, techs: []string{lsass}},
		}, [][]string{{"x", "y", "z"}}},
		{"linked by user", []in{
			{id: "x", hosts: []string{"ws-01"}, users: []string{`CORP\bob`}, techs: []string{phishing}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, users: []string{"bob@corp.example"}, techs: []string{powershell}},
		}, [][]string{{"x", "y"}}},
		{"linked by private IP", []in{
			{id: "x", src: []string{"10.20.30.42"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, src: []string{"10.20.30.42"}, techs: []string{smbShares}},
		}, [][]string{{"x", "y"}}},
		{"linked by hash", []in{
			{id: "x", hosts: []string{"ws-01"}, sha256: strings.ToUpper(sha), techs: []string{phishing}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, sha256: sha, techs: []string{powershell}},
		}, [][]string{{"x", "y"}}},
		{"linked by domain", []in{
			{id: "x", hosts: []string{"ws-01"}, domain: "evil.example.net", techs: []string{phishing}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, domain: "EVIL.example.net.", techs: []string{powershell}},
		}, [][]string{{"x", "y"}}},
		{"linked by URL", []in{
			{id: "x", hosts: []string{"ws-01"}, url: "http://evil.example.net/a.ps1", techs: []string{phishing}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, url: "http://evil.example.net/a.ps1", techs: []string{powershell}},
		}, [][]string{{"x", "y"}}},
		{"loopback does not link", []in{
			{id: "x", src: []string{"127.0.0.1"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, src: []string{"127.0.0.1"}, techs: []string{smbShares}},
		}, nil},
		{"documentation and link-local addresses do not link", []in{
			{id: "x", src: []string{"192.0.2.1"}, dst: []string{"169.254.1.1"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, src: []string{"192.0.2.1"}, dst: []string{"169.254.1.1"}, techs: []string{smbShares}},
		}, nil},
		{"a configured DNS resolver does not link", []in{
			{id: "x", hosts: []string{"ws-01"}, dst: []string{"10.0.0.53"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, dst: []string{"10.0.0.53"}, techs: []string{smbShares}},
		}, nil},
		{"a configured infrastructure range does not link", []in{
			{id: "x", dst: []string{"172.16.0.9"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, dst: []string{"172.16.0.9"}, techs: []string{smbShares}},
		}, nil},
		{"unrelated entities do not link", []in{
			{id: "x", hosts: []string{"ws-01"}, techs: []string{powershell}},
			{id: "y", at: time.Hour, hosts: []string{"ws-02"}, techs: []string{smbShares}},
		}, nil},
		{"exactly the chain window apart", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{id: "y", at: 7 * day, hosts: []string{"ws-07"}, techs: []string{smbShares}},
		}, [][]string{{"x", "y"}}},
		{"a second more than the chain window apart", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{id: "y", at: 7*day + time.Second, hosts: []string{"ws-07"}, techs: []string{smbShares}},
		}, nil},
		{"the same host in two tenants does not link", []in{
			{id: "x", hosts: []string{"ws-07"}, techs: []string{powershell}},
			{tenant: "globex", id: "y", at: time.Hour, hosts: []string{"ws-07"}, techs: []string{smbShares}},
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cr := newCorrelator(t, cfg)
			res := run(t, cr, c.alerts)
			if got := memberSets(cr, "acme"); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("incidents = %v, want %v", got, c.want)
			}
			if got := cr.Incidents("globex"); len(got) != 0 {
				t.Fatalf("globex has incidents %v", got)
			}
			last := res[len(res)-1]
			if c.want == nil {
				if last.Incident != nil || last.Chain || len(last.Factors) > 0 {
					t.Errorf("last result = %+v, want nothing", last)
				}
				return
			}
			inc := last.Incident
			if !last.Chain || inc == nil || !reflect.DeepEqual(inc.Kinds, []string{alert.IncidentKillChain}) {
				t.Fatalf("last result: chain %v incident %+v", last.Chain, inc)
			}
			f, ok := factor(last, "kill_chain_progression")
			wantBonus := min(12*float64(len(c.want[0])-1), 36)
			if !ok || f.Contribution != wantBonus || !strings.Contains(f.Detail, inc.ID) {
				t.Errorf("factor = %+v (%v), want contribution %v naming %s", f, ok, wantBonus, inc.ID)
			}
			if len(inc.Entities) == 0 {
				t.Error("incident names no linking entity")
			}
			if len(last.Reasons) == 0 || !strings.Contains(last.Reasons[0], "kill-chain progression") {
				t.Errorf("reasons = %q", last.Reasons)
			}
		})
	}
}

func TestKillChainOrderAndScore(t *testing.T) {
	cr := newCorrelator(t, DefaultConfig())
	res := run(t, cr, []in{
		{id: "x", hosts: []string{"ws-07"}, users: []string{"svc_sql"}, techs: []string{powershell}, score: 20},
		{id: "z", at: 2 * time.Hour, hosts: []string{"ws-07"}, users: []string{"svc_sql"}, techs: []string{lsass}, score: 30},
		{id: "y", at: 3 * time.Hour, hosts: []string{"ws-07"}, techs: []string{smbShares}, score: 10},
	})
	inc := res[2].Incident
	var ids []string
	for _, tech := range inc.Techniques {
		ids = append(ids, tech.ID)
	}
	// Techniques in tactic order: execution, credential-access, lateral-movement.
	if want := []string{powershell, lsass, smbShares}; !reflect.DeepEqual(ids, want) {
		t.Errorf("techniques = %v, want %v", ids, want)
	}
	// Highest member 30 plus 2 advancing tactics at 12 each.
	if inc.Score != 54 || inc.Priority != alert.P2 {
		t.Errorf("score %d priority %s, want 54 P2", inc.Score, inc.Priority)
	}
	if !strings.Contains(inc.Title, "execution -> credential-access -> lateral-movement") {
		t.Errorf("title %q does not show the tactic path", inc.Title)
	}
	var raised bool
	for _, e := range inc.Timeline {
		raised = raised || (e.Event == EventScoreRaised && e.AlertID == "y" && e.Detail == "score 42 -> 54")
	}
	if !raised {
		t.Errorf("timeline lacks the score rise by y: %+v", inc.Timeline)
	}
}

func TestMergeIncidents(t *testing.T) {
	cr := newCorrelator(t, DefaultConfig())
	res := run(t, cr, []in{
		{id: "a1", hosts: []string{"ws-01"}, techs: []string{powershell}},
		{id: "b1", at: time.Minute, hosts: []string{"ws-02"}, techs: []string{powershell}},
		{id: "a2", at: time.Hour, hosts: []string{"ws-01"}, techs: []string{smbShares}},
		{id: "b2", at: 2 * time.Hour, hosts: []string{"ws-02"}, techs: []string{smbShares}},
	})
	if got := len(cr.Incidents("acme")); got != 2 {
		t.Fatalf("%d incidents before the linking alert, want 2", got)
	}
	first, second := res[2].Incident.ID, res[3].Incident.ID
	r := cr.Add(in{id: "c", at: 3 * time.Hour, hosts: []string{"ws-01", "ws-02"}, techs: []string{lsass}}.event(t))
	want := [][]string{{"a1", "b1", "a2", "b2", "c"}}
	if got := memberSets(cr, "acme"); !reflect.DeepEqual(got, want) {
		t.Fatalf("incidents = %v, want %v", got, want)
	}
	if r.Incident.ID != first || r.New {
		t.Errorf("merged incident %s (new %v), want the older %s kept", r.Incident.ID, r.New, first)
	}
	if _, ok := cr.Incident("acme", second); ok {
		t.Errorf("merged incident %s still listed", second)
	}
	if !strings.Contains(strings.Join(r.Reasons, "\n"), "merged into "+first) {
		t.Errorf("reasons do not name the merge: %q", r.Reasons)
	}
	var merged bool
	for _, e := range r.Incident.Timeline {
		merged = merged || (e.Event == EventMerged && strings.Contains(e.Detail, second))
	}
	if !merged {
		t.Errorf("timeline lacks the merge: %+v", r.Incident.Timeline)
	}
}
