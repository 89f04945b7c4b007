package correlate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

const dcom = "T1021.003" // lateral-movement over RPC

// referenceCase3 is the product brief's third reference case: a PowerShell
// alert on a marketing workstation auto-closed as a false positive, then 36
// hours later, at 02:47, a service account from that workstation reaching
// the domain controller, the file server and the SQL server over SMB/RPC.
func referenceCase3() []in {
	ps := 5*time.Hour + 47*time.Minute // Monday 14:47
	lm := ps + 36*time.Hour            // Wednesday 02:47
	ws := []string{"MKT-WS-042.corp.example"}
	return []in{
		{id: "ps-1", at: ps, hosts: ws, users: []string{`CORP\j.doe`}, src: []string{"10.20.30.42"},
			techs: []string{powershell}, score: 12, disp: alert.AutoClose},
		{id: "lm-1", at: lm, hosts: ws, users: []string{`CORP\svc_backup`}, src: []string{"10.20.30.42"},
			dst: []string{"10.0.0.10", "10.0.1.20", "10.0.2.30"}, techs: []string{smbShares, dcom}, score: 62, disp: alert.Investigate},
	}
}

func TestRetrospective(t *testing.T) {
	ref := referenceCase3()
	lm := ref[1].at
	noise := func(id string, before time.Duration, disp alert.Disposition, hosts ...string) in {
		return in{id: id, at: lm - before, hosts: hosts, score: 5, disp: disp}
	}
	for _, c := range []struct {
		name      string
		alerts    []in
		members   []string
		reinvest  []string
		flaggedBy string // the alert whose result flags the earliest
	}{
		{"reference case 3", ref,
			[]string{"ps-1", "lm-1"}, []string{"ps-1"}, "lm-1"},
		{"credential access on the domain controller extends the chain", append(ref, in{
			id: "ca-1", at: lm + time.Hour, hosts: []string{"dc-01"}, users: []string{"svc_backup"}, src: []string{"10.20.30.42"},
			techs: []string{lsass}, score: 70, disp: alert.Escalate,
		}), []string{"ps-1", "lm-1", "ca-1"}, []string{"ps-1"}, "lm-1"},
		{"closed alerts on the incident's entities are attached", append([]in{
			noise("old-closed", 10*24*time.Hour, alert.AutoClose, "mkt-ws-042"),
			noise("too-old", 31*24*time.Hour, alert.AutoClose, "mkt-ws-042"),
			noise("open-review", 5*24*time.Hour, alert.Review, "mkt-ws-042"),
			noise("other-host", 4*24*time.Hour, alert.AutoClose, "mkt-ws-043"),
			{tenant: "globex", id: "other-tenant", at: lm - 3*24*time.Hour, hosts: []string{"mkt-ws-042"}, disp: alert.AutoClose},
		}, ref...), []string{"old-closed", "ps-1", "lm-1"}, []string{"ps-1", "old-closed"}, "lm-1"},
		{"an incident that is not a likely attack attaches nothing", []in{
			noise("old-closed", 10*24*time.Hour, alert.AutoClose, "mkt-ws-042"),
			ref[0],
			{id: "lm-1", at: lm, hosts: []string{"mkt-ws-042"}, techs: []string{smbShares}, score: 20, disp: alert.Review},
		}, []string{"ps-1", "lm-1"}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			slices.SortStableFunc(c.alerts, func(a, b in) int { return int(a.at - b.at) })
			cr := newCorrelator(t, DefaultConfig())
			res := run(t, cr, c.alerts)
			incs := cr.Incidents("acme")
			if len(incs) != 1 {
				t.Fatalf("%d incidents, want 1: %v", len(incs), memberSets(cr, "acme"))
			}
			inc := incs[0]
			if !reflect.DeepEqual(inc.Alerts, c.members) {
				t.Errorf("members = %v, want %v", inc.Alerts, c.members)
			}
			if !reflect.DeepEqual(inc.Reinvestigate, c.reinvest) {
				t.Errorf("reinvestigate = %v, want %v", inc.Reinvestigate, c.reinvest)
			}
			if len(cr.Incidents("globex")) != 0 {
				t.Error("globex has an incident")
			}
			if c.flaggedBy == "" {
				return
			}
			for i, a := range c.alerts {
				if a.id != c.flaggedBy {
					continue
				}
				if !reflect.DeepEqual(res[i].Reinvestigate, c.reinvest) {
					t.Errorf("%s flags %v, want %v", a.id, res[i].Reinvestigate, c.reinvest)
				}
				why := strings.Join(res[i].Reasons, "\n")
				for _, id := range c.reinvest {
					if !strings.Contains(why, "re-investigate") || !strings.Contains(why, id) {
						t.Errorf("reasons do not name %s: %s", id, why)
					}
				}
			}
		})
	}
}

func TestRetrospectiveOnUpdateAndFeedback(t *testing.T) {
	ref := referenceCase3()[:2]
	ref[1].score, ref[1].disp = 20, alert.Review // preliminary: not yet alarming

	t.Run("update", func(t *testing.T) {
		cr := newCorrelator(t, DefaultConfig())
		res := run(t, cr, ref)
		if res[1].Incident == nil || len(res[1].Reinvestigate) != 0 {
			t.Fatalf("before update: %+v", res[1])
		}
		u := cr.Update("acme", "lm-1", 80, alert.Escalate, alert.TruePositive)
		if !reflect.DeepEqual(u.Reinvestigate, []string{"ps-1"}) || u.Incident.Score != 92 {
			t.Errorf("update: reinvestigate %v score %d, want [ps-1] 92", u.Reinvestigate, u.Incident.Score)
		}
		if again := cr.Update("acme", "lm-1", 80, alert.Escalate, alert.TruePositive); len(again.Reinvestigate) != 0 {
			t.Errorf("a second update flags %v again", again.Reinvestigate)
		}
		if got := cr.Update("globex", "lm-1", 80, alert.Escalate, alert.TruePositive); got.Incident != nil {
			t.Error("another tenant's update reached the incident")
		}
	})
	t.Run("feedback true positive", func(t *testing.T) {
		cr := newCorrelator(t, DefaultConfig())
		run(t, cr, ref)
		f := cr.Feedback("acme", "lm-1", alert.TruePositive)
		if !reflect.DeepEqual(f.Reinvestigate, []string{"ps-1"}) {
			t.Errorf("feedback flags %v, want [ps-1]", f.Reinvestigate)
		}
	})
	t.Run("an analyst's verdict is not re-investigated", func(t *testing.T) {
		cr := newCorrelator(t, DefaultConfig())
		cr.Add(ref[0].event(t))
		cr.Feedback("acme", "ps-1", alert.TruePositive)
		r := cr.Add(referenceCase3()[1].event(t))
		if len(r.Reinvestigate) != 0 {
			t.Errorf("flags %v, want none", r.Reinvestigate)
		}
	})
}

func TestRetroLimit(t *testing.T) {
	ref := referenceCase3()
	var alerts []in
	for i := range 30 {
		alerts = append(alerts, in{id: fmt.Sprintf("n%02d", i), at: ref[1].at - time.Duration(30-i)*time.Hour,
			hosts: []string{"mkt-ws-042"}, disp: alert.AutoClose})
	}
	alerts = append(alerts, ref[1]) // no PowerShell alert: nothing to chain from
	alerts[len(alerts)-1].techs = []string{powershell, smbShares}
	cfg := DefaultConfig()
	cfg.RetroLimit = 20
	cr := newCorrelator(t, cfg)
	// A burst makes the incident: five alerts within 15 minutes.
	for i := range 4 {
		a := ref[1]
		a.id, a.at = fmt.Sprintf("b%d", i), a.at-time.Duration(4-i)*time.Minute
		alerts = slices.Insert(alerts, len(alerts)-1, a)
	}
	res := run(t, cr, alerts)
	last := res[len(res)-1]
	if last.Incident == nil {
		t.Fatal("no incident")
	}
	if got := len(last.Reinvestigate); got != 20 {
		t.Fatalf("%d alerts flagged, want the limit 20", got)
	}
	if last.Reinvestigate[0] != "n10" || last.Reinvestigate[19] != "n29" {
		t.Errorf("flagged %v, want the 20 most recent n10..n29", last.Reinvestigate)
	}
}

// TestGoldenReferenceCase pins the results and the incident of reference
// case 3 byte for byte; UPDATE_GOLDEN=1 rewrites the file.
func TestGoldenReferenceCase(t *testing.T) {
	var buf bytes.Buffer
	for range 2 {
		cr := newCorrelator(t, DefaultConfig())
		res := run(t, cr, referenceCase3())
		b, err := json.MarshalIndent(struct {
			Results   []Result         `json:"results"`
			Incidents []alert.Incident `json:"incidents"`
		}{res, cr.Incidents("acme")}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		if buf.Len() > 0 && !bytes.Equal(buf.Bytes(), b) {
			t.Fatal("two runs of the same input differ")
		}
		buf.Reset()
		buf.Write(b)
	}
	path := filepath.Join("testdata", "golden", "reference_case3.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run with UPDATE_GOLDEN=1)", path, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("results differ from %s (UPDATE_GOLDEN=1 refreshes):\n%s", path, buf.String())
	}
}
