package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// ev is one hand-written alert of a scenario: who, what, when and how the
// engine decided it.
type ev struct {
	tenant string
	id     string
	at     time.Time
	rule   string
	host   string
	user   string
	src    string
	dsts   []string
	disp   alert.Disposition
}

func (e ev) alert() *alert.Alert {
	a := &alert.Alert{Tenant: e.tenant, Source: "wazuh", ID: e.id, Time: e.at.UTC(), Title: "rule " + e.rule}
	if a.Tenant == "" {
		a.Tenant = "acme"
	}
	a.Rule.ID = e.rule
	if e.host != "" {
		a.Entities.Hosts = []alert.Host{{Name: e.host}}
	}
	if e.user != "" {
		a.Entities.Users = []alert.User{{Name: e.user}}
	}
	if e.src != "" {
		a.Entities.Src = []alert.Endpoint{{IP: e.src}}
	}
	for _, d := range e.dsts {
		a.Entities.Dst = append(a.Entities.Dst, alert.Endpoint{Hostname: d})
	}
	return a
}

func (e ev) decision() *alert.Decision {
	if e.disp == "" {
		return &alert.Decision{AlertID: e.id, Disposition: alert.Review}
	}
	return &alert.Decision{AlertID: e.id, Disposition: e.disp}
}

// feedback is an analyst verdict given after the alert with index after in
// the scenario's history was recorded.
type feedback struct {
	after  int
	tenant string
	id     string
	v      alert.Verdict
}

// play records evs in order into tr, applying feedback after the given
// indexes.
func play(t *testing.T, tr *Tracker, evs []ev, fbs []feedback, loc *time.Location) {
	t.Helper()
	for i, e := range evs {
		a := e.alert()
		tr.Assess(a, nil, loc)
		tr.Record(a, nil, e.decision(), loc)
		for _, f := range fbs {
			if f.after != i {
				continue
			}
			tn := f.tenant
			if tn == "" {
				tn = "acme"
			}
			if !tr.Feedback(tn, f.id, f.v) {
				t.Fatalf("feedback on %s/%s: alert not in history", tn, f.id)
			}
		}
	}
}

// series returns n alerts built by mk(i) for i in [0, n).
func series(n int, mk func(i int) ev) []ev {
	out := make([]ev, n)
	for i := range out {
		out[i] = mk(i)
	}
	return out
}

func factor(as Assessment, name string) (alert.Factor, bool) {
	for _, f := range as.Factors {
		if f.Name == name {
			return f, true
		}
	}
	return alert.Factor{}, false
}

func factorNames(as Assessment) string {
	var names []string
	for _, f := range as.Factors {
		names = append(names, fmt.Sprintf("%s=%v", f.Name, f.Contribution))
	}
	return strings.Join(names, ",")
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load time zone %s: %v", name, err)
	}
	return loc
}

func defaultWeights(t testing.TB) *Weights {
	t.Helper()
	w, err := DefaultWeights()
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// t0 is a Monday; scenarios count from it.
var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func day(d int, h, m int) time.Time {
	return t0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}
