package correlate

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestIncidentCap checks that a host that never stops alerting rolls over
// into a new incident instead of growing one without bound.
func TestIncidentCap(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxIncidentAlerts = 8
	cr := newCorrelator(t, cfg)
	run(t, cr, series(20, time.Minute, func(int) in { return in{id: "a", hosts: []string{"web-01"}} }))
	var sizes []int
	for _, inc := range cr.Incidents("acme") {
		sizes = append(sizes, len(inc.Alerts))
	}
	// a1-a8 fill the first; a9 starts the next, which fills with a9-a16;
	// a17 starts a third.
	if want := []int{8, 8, 4}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("incident sizes = %v, want %v", sizes, want)
	}
}

// TestObservedUbiquity checks that an entity in more alerts than the limit
// within the chain window stops linking kill chains.
func TestObservedUbiquity(t *testing.T) {
	for _, c := range []struct {
		name  string
		noise int
		want  int // incidents
	}{
		{"a server in few alerts links", 3, 1},
		{"a server in every alert does not", 12, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MaxEntityAlerts = 10
			cr := newCorrelator(t, cfg)
			var alerts []in
			for i := range c.noise {
				// Hours apart: no burst.
				alerts = append(alerts, in{id: fmt.Sprintf("n%d", i), at: time.Duration(i) * time.Hour,
					hosts: []string{fmt.Sprintf("ws-%d", i)}, dst: []string{"10.0.0.10"}})
			}
			alerts = append(alerts,
				in{id: "x", at: 20 * time.Hour, hosts: []string{"ws-a"}, dst: []string{"10.0.0.10"}, techs: []string{powershell}},
				in{id: "y", at: 21 * time.Hour, hosts: []string{"ws-b"}, dst: []string{"10.0.0.10"}, techs: []string{smbShares}},
			)
			run(t, cr, alerts)
			if got := len(cr.Incidents("acme")); got != c.want {
				t.Errorf("%d incidents, want %d: %v", got, c.want, memberSets(cr, "acme"))
			}
		})
	}
}
