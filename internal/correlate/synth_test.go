package correlate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// synth builds n alerts with realistic entity reuse: three tenants, a few
// hundred workstations and users, a small set of servers every workstation
// talks to, a larger pool of external addresses, a handful of techniques
// (and many alerts with none), 1-40 seconds apart. The same seed always
// gives the same alerts.
func synth(tb testing.TB, n int, seed uint64) []Event {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	techs := []alert.Technique{}
	for _, id := range []string{phishing, powershell, "T1053.005", "T1078", "T1110.001", lsass, "T1046", smbShares, dcom, "T1071.001", "T1048.003"} {
		techs = append(techs, technique(tb, id))
	}
	tenants := []string{"acme", "globex", "initech"}
	dispositions := []alert.Disposition{alert.AutoClose, alert.AutoClose, alert.AutoClose, alert.Review, alert.Investigate, alert.Escalate}
	at := t0
	out := make([]Event, n)
	burstLeft, burstWS, burstTenant := 0, 0, ""
	episode := []alert.Technique{techs[0], techs[1], techs[5], techs[7]}
	step, attackWS, attackTenant := len(episode), 0, ""
	for i := range out {
		at = at.Add(time.Duration(1+rng.IntN(40)) * time.Second)
		a := &alert.Alert{
			Tenant: tenants[rng.IntN(len(tenants))], Source: "synth",
			ID: fmt.Sprintf("s-%07d", i), Time: at, Title: "synthetic",
		}
		ws := rng.IntN(500)
		if burstLeft == 0 && rng.IntN(300) == 0 {
			// Now and then a machine raises a run of alerts.
			burstLeft, burstWS, burstTenant = 4+rng.IntN(8), rng.IntN(500), a.Tenant
		}
		if burstLeft > 0 {
			burstLeft--
			ws, a.Tenant = burstWS, burstTenant
		}
		if step == len(episode) && rng.IntN(2000) == 0 {
			// Now and then an intrusion advances through the kill chain
			// on one machine over its next alerts.
			step, attackWS, attackTenant = 0, rng.IntN(500), a.Tenant
		}
		if step < len(episode) {
			ws, a.Tenant = attackWS, attackTenant
		}
		user := ws % 300 // people mostly use their own workstation
		if rng.IntN(10) == 0 {
			user = rng.IntN(300)
		}
		a.Entities.Hosts = []alert.Host{{Name: fmt.Sprintf("ws-%03d", ws), IP: fmt.Sprintf("10.20.%d.%d", ws/250, ws%250+1)}}
		a.Entities.Users = []alert.User{{Name: fmt.Sprintf("user%03d", user), Domain: "CORP"}}
		switch rng.IntN(4) {
		case 0: // servers every workstation talks to
			a.Entities.Dst = []alert.Endpoint{{IP: fmt.Sprintf("10.0.0.%d", 10+rng.IntN(50)), Port: 445}}
		case 1:
			a.Entities.Dst = []alert.Endpoint{{IP: fmt.Sprintf("203.%d.%d.%d", 1+rng.IntN(8), rng.IntN(16), 1+rng.IntN(15)), Port: 443}}
		case 2: // files mostly local to a machine, a few everywhere
			h := ws*4 + rng.IntN(4)
			if rng.IntN(10) == 0 {
				h = 5000 + rng.IntN(20)
			}
			a.Entities.Files = []alert.File{{Name: "x.exe", SHA256: fmt.Sprintf("%064x", h)}}
		}
		ev := Event{Alert: a, Score: rng.IntN(100)}
		ev.Disposition = dispositions[rng.IntN(len(dispositions))]
		// Most alerts on a machine repeat its two usual detections; a few
		// are something else, and some carry no technique at all.
		switch k := rng.IntN(20); {
		case k < 8:
			ev.Techniques = []alert.Technique{techs[ws%len(techs)]}
		case k < 12:
			ev.Techniques = []alert.Technique{techs[(ws*7+3)%len(techs)]}
		case k < 13:
			ev.Techniques = []alert.Technique{techs[rng.IntN(len(techs))]}
		}
		if step < len(episode) {
			ev.Techniques = []alert.Technique{episode[step]}
			step++
		}
		out[i] = ev
	}
	return out
}

// TestDeterminism feeds the same sequence to two correlators and expects
// byte-identical results and incidents.
func TestDeterminism(t *testing.T) {
	events := synth(t, 5000, 1)
	render := func() []byte {
		cr := newCorrelator(t, DefaultConfig())
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i, ev := range events {
			if err := enc.Encode(cr.Add(ev)); err != nil {
				t.Fatal(err)
			}
			if i%7 == 0 {
				if err := enc.Encode(cr.Update(ev.Alert.Tenant, ev.Alert.ID, 90, alert.Escalate, alert.TruePositive)); err != nil {
					t.Fatal(err)
				}
			}
			if i%11 == 0 && i > 0 {
				cr.Feedback(ev.Alert.Tenant, events[i-1].Alert.ID, alert.FalsePositive)
			}
		}
		for _, tenant := range []string{"acme", "globex", "initech"} {
			if err := enc.Encode(cr.Incidents(tenant)); err != nil {
				t.Fatal(err)
			}
		}
		return buf.Bytes()
	}
	a, b := render(), render()
	if !bytes.Equal(a, b) {
		t.Fatal("the same input gave different output")
	}
	for _, kind := range []string{`"kill_chain"`, `"burst"`, `"reinvestigate"`} {
		if !bytes.Contains(a, []byte(kind)) {
			t.Errorf("the synthetic sequence never exercises %s", kind)
		}
	}
}

// TestTenantsNeverMix checks every incident of a mixed-tenant sequence
// holds only its own tenant's alerts.
func TestTenantsNeverMix(t *testing.T) {
	events := synth(t, 5000, 2)
	tenantOf := map[string]string{}
	cr := newCorrelator(t, DefaultConfig())
	for _, ev := range events {
		tenantOf[ev.Alert.ID] = ev.Alert.Tenant
		cr.Add(ev)
	}
	total := 0
	for _, tenant := range []string{"acme", "globex", "initech"} {
		for _, inc := range cr.Incidents(tenant) {
			total++
			if inc.Tenant != tenant {
				t.Errorf("incident %s of %s listed under %s", inc.ID, inc.Tenant, tenant)
			}
			for _, id := range inc.Alerts {
				if tenantOf[id] != tenant {
					t.Errorf("incident %s of %s holds alert %s of %s", inc.ID, tenant, id, tenantOf[id])
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no incidents: the test proves nothing")
	}
}

// TestEviction checks that state older than the largest window is dropped:
// after 90 days of alerts only the last 30 days' alerts are remembered.
func TestEviction(t *testing.T) {
	events := synth(t, 30000, 3)
	// Stretch the synthetic hours over 90 days.
	span := events[len(events)-1].Alert.Time.Sub(t0)
	scale := float64(90*24*time.Hour) / float64(span)
	for _, ev := range events {
		ev.Alert.Time = t0.Add(time.Duration(float64(ev.Alert.Time.Sub(t0)) * scale))
	}
	cfg := DefaultConfig()
	cr := newCorrelator(t, cfg)
	for _, ev := range events {
		cr.Add(ev)
	}
	for name, tn := range cr.tenants {
		cutoff := tn.now.Add(-cfg.retention())
		if len(tn.alerts) == 0 || len(tn.alerts) > 30000/3*2/3 {
			t.Errorf("%s remembers %d alerts, want about a third of its %d", name, len(tn.alerts), 30000/3)
		}
		for id, r := range tn.alerts {
			if r.time.Before(cutoff) {
				t.Fatalf("%s still remembers %s of %v, before the cutoff %v", name, id, r.time, cutoff)
			}
		}
		if live := len(tn.queue) - tn.head; live != len(tn.alerts) {
			t.Errorf("%s queue holds %d alerts, index %d", name, live, len(tn.alerts))
		}
		for k, e := range tn.entities {
			if len(e.recs) == 0 {
				t.Errorf("%s keeps the empty entity %v", name, k)
			}
			for _, r := range e.recs {
				if r.evicted {
					t.Fatalf("%s entity %v holds an evicted alert %s", name, k, r.id)
				}
			}
		}
		for id, inc := range tn.incidents {
			if inc.live == 0 || inc.members[len(inc.members)-1].time.Before(cutoff) {
				t.Errorf("%s keeps incident %s whose members are all gone", name, id)
			}
		}
	}
}
