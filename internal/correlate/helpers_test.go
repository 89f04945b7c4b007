package correlate

import (
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/attack"
)

// t0 is a Monday morning; scenario times are offsets from it.
var t0 = time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)

// in is a compact hand-written alert for scenario tables.
type in struct {
	tenant string
	id     string
	at     time.Duration
	hosts  []string
	users  []string
	src    []string
	dst    []string
	sha256 string
	domain string
	url    string
	techs  []string
	score  int
	disp   alert.Disposition
}

// technique looks an ATT&CK technique up in the embedded knowledge base so
// that tactics are real, not invented by the test.
func technique(t testing.TB, id string) alert.Technique {
	t.Helper()
	kt, ok := attack.Default().Technique(id)
	if !ok {
		t.Fatalf("technique %s is not in the knowledge base", id)
	}
	return alert.Technique{ID: kt.ID, Name: kt.Name, Tactics: kt.Tactics, Origin: "content"}
}

func (a in) event(t testing.TB) Event {
	tenant := a.tenant
	if tenant == "" {
		tenant = "acme"
	}
	al := &alert.Alert{Tenant: tenant, Source: "test", ID: a.id, Time: t0.Add(a.at), Title: "alert " + a.id}
	for _, h := range a.hosts {
		al.Entities.Hosts = append(al.Entities.Hosts, alert.Host{Name: h})
	}
	for _, u := range a.users {
		al.Entities.Users = append(al.Entities.Users, alert.User{Name: u})
	}
	for _, ip := range a.src {
		al.Entities.Src = append(al.Entities.Src, alert.Endpoint{IP: ip})
	}
	for _, ip := range a.dst {
		al.Entities.Dst = append(al.Entities.Dst, alert.Endpoint{IP: ip})
	}
	if a.sha256 != "" {
		al.Entities.Files = append(al.Entities.Files, alert.File{Name: "payload.bin", SHA256: a.sha256})
	}
	if a.domain != "" {
		al.Entities.Domains = append(al.Entities.Domains, a.domain)
	}
	if a.url != "" {
		al.Entities.URLs = append(al.Entities.URLs, a.url)
	}
	ev := Event{Alert: al, Score: a.score, Disposition: a.disp}
	if ev.Disposition == "" {
		ev.Disposition = alert.Review
	}
	switch ev.Disposition {
	case alert.Escalate, alert.Investigate:
		ev.Verdict = alert.TruePositive
	case alert.Review:
		ev.Verdict = alert.NeedsReview
	default:
		ev.Verdict = alert.FalsePositive
	}
	for _, id := range a.techs {
		ev.Techniques = append(ev.Techniques, technique(t, id))
	}
	return ev
}

func newCorrelator(t testing.TB, cfg Config) *Correlator {
	t.Helper()
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// run adds every alert in order and returns the results.
func run(t testing.TB, c *Correlator, alerts []in) []Result {
	t.Helper()
	out := make([]Result, len(alerts))
	for i, a := range alerts {
		out[i] = c.Add(a.event(t))
	}
	return out
}

// memberSets lists each incident's member IDs for the tenant.
func memberSets(c *Correlator, tenant string) [][]string {
	var out [][]string
	for _, inc := range c.Incidents(tenant) {
		out = append(out, inc.Alerts)
	}
	return out
}

func factor(r Result, name string) (alert.Factor, bool) {
	for _, f := range r.Factors {
		if f.Name == name {
			return f, true
		}
	}
	return alert.Factor{}, false
}
