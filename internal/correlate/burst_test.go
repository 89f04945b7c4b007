package correlate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// series returns n alerts spaced step apart, built by mk.
func series(n int, step time.Duration, mk func(i int) in) []in {
	out := make([]in, n)
	for i := range out {
		a := mk(i)
		a.id = fmt.Sprintf("%s%d", a.id, i+1)
		a.at = time.Duration(i) * step
		out[i] = a
	}
	return out
}

func TestBurst(t *testing.T) {
	onHost := func(i int) in { return in{id: "a", hosts: []string{"web-01"}, score: 30} }
	onUser := func(i int) in {
		return in{id: "u", hosts: []string{fmt.Sprintf("ws-%02d", i)}, users: []string{`CORP\alice`}, score: 30}
	}
	spread := func(i int) in {
		return in{id: "s", hosts: []string{fmt.Sprintf("ws-%02d", i)}, users: []string{fmt.Sprintf("user%d", i)}}
	}
	for _, c := range []struct {
		name    string
		alerts  []in
		want    [][]string // member IDs per incident, tenant acme
		burstAt []int      // indices whose result says Burst
	}{
		{"four alerts are not a burst", series(4, time.Minute, onHost), nil, nil},
		{"five alerts on one host", series(5, time.Minute, onHost),
			[][]string{{"a1", "a2", "a3", "a4", "a5"}}, []int{4}},
		{"a sixth alert joins the burst", series(6, time.Minute, onHost),
			[][]string{{"a1", "a2", "a3", "a4", "a5", "a6"}}, []int{4, 5}},
		{"five alerts spanning exactly the window", series(5, 15*time.Minute/4, onHost),
			[][]string{{"a1", "a2", "a3", "a4", "a5"}}, []int{4}},
		{"five alerts spanning a second more than the window", series(5, (15*time.Minute+time.Second)/4+1, onHost), nil, nil},
		{"five alerts on one user across hosts", series(5, time.Minute, onUser),
			[][]string{{"u1", "u2", "u3", "u4", "u5"}}, []int{4}},
		{"five alerts on different hosts and users", series(5, time.Minute, spread), nil, nil},
		{"two tenants never make one burst", series(5, time.Minute, func(i int) in {
			a := onHost(i)
			if i%2 == 1 {
				a.tenant = "globex"
			}
			return a
		}), nil, nil},
		{"two bursts an hour apart are two incidents", append(series(5, time.Minute, onHost), series(5, time.Minute, func(i int) in {
			a := onHost(i)
			a.id = "b"
			return a
		})...), [][]string{{"a1", "a2", "a3", "a4", "a5"}, {"b1", "b2", "b3", "b4", "b5"}}, []int{4, 9}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.alerts) == 10 {
				for i := 5; i < 10; i++ {
					c.alerts[i].at += time.Hour
				}
			}
			cr := newCorrelator(t, DefaultConfig())
			res := run(t, cr, c.alerts)
			if got := memberSets(cr, "acme"); !reflect.DeepEqual(got, c.want) {
				t.Errorf("incidents = %v, want %v", got, c.want)
			}
			var burstAt []int
			for i, r := range res {
				if r.Burst {
					burstAt = append(burstAt, i)
					f, ok := factor(r, "alert_burst")
					if !ok || f.Contribution <= 0 || !strings.Contains(f.Detail, "within 15m0s") {
						t.Errorf("alert %d: alert_burst factor = %+v, %v", i, f, ok)
					}
					if r.Incident == nil || !reflect.DeepEqual(r.Incident.Kinds, []string{alert.IncidentBurst}) {
						t.Errorf("alert %d: incident %+v is not a burst", i, r.Incident)
					}
				}
			}
			if !reflect.DeepEqual(burstAt, c.burstAt) {
				t.Errorf("Burst on alerts %v, want %v", burstAt, c.burstAt)
			}
			if got := cr.Incidents("globex"); len(got) != 0 {
				t.Errorf("globex has incidents %v", got)
			}
		})
	}
}

func TestBurstIncidentFields(t *testing.T) {
	cr := newCorrelator(t, DefaultConfig())
	res := run(t, cr, series(5, time.Minute, func(int) in {
		return in{id: "a", hosts: []string{"WEB-01.corp.example"}, src: []string{"10.1.2.3"}, score: 40}
	}))
	inc := res[4].Incident
	if inc == nil || !res[4].New {
		t.Fatalf("fifth alert: incident %v, new %v", inc, res[4].New)
	}
	if want := IncidentID("acme", "a1"); inc.ID != want {
		t.Errorf("ID = %s, want %s (from the first member)", inc.ID, want)
	}
	if !strings.HasPrefix(inc.ID, "inc-") || len(inc.ID) != 20 {
		t.Errorf("ID %q is not inc- and 16 hex digits", inc.ID)
	}
	wantEnt := []alert.Observable{{Type: alert.HostID, Value: "web-01"}, {Type: alert.IPv4, Value: "10.1.2.3"}}
	if !reflect.DeepEqual(inc.Entities, wantEnt) {
		t.Errorf("Entities = %v, want %v", inc.Entities, wantEnt)
	}
	if inc.Score != 40 || inc.Status != alert.IncidentOpen || !inc.First.Equal(t0) || !inc.Last.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("score %d status %s first %v last %v", inc.Score, inc.Status, inc.First, inc.Last)
	}
	if !strings.Contains(inc.Title, "host web-01") {
		t.Errorf("Title %q does not name the host", inc.Title)
	}
	var events []string
	for _, e := range inc.Timeline {
		events = append(events, e.Event)
	}
	want := []string{EventAlertAdded, EventAlertAdded, EventAlertAdded, EventAlertAdded, EventAlertAdded, EventKindDetected}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("timeline events = %v, want %v", events, want)
	}
	// The snapshot is a copy: later alerts do not change it.
	cr.Add(in{id: "a6", at: 5 * time.Minute, hosts: []string{"web-01"}}.event(t))
	if len(inc.Alerts) != 5 {
		t.Errorf("snapshot changed to %d members", len(inc.Alerts))
	}
	if got, ok := cr.Incident("acme", inc.ID); !ok || len(got.Alerts) != 6 {
		t.Errorf("Incident() = %d members, %v; want 6", len(got.Alerts), ok)
	}
	if _, ok := cr.Incident("globex", inc.ID); ok {
		t.Error("another tenant sees the incident")
	}
}
