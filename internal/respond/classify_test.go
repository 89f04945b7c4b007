package respond

import (
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/classify"
	"github.com/winnow-soc/winnow/internal/score"
)

// TestSupersetOfClassify checks that the playbooks propose at least every
// action internal/classify proposes for the same alert, which they
// replace.
func TestSupersetOfClassify(t *testing.T) {
	p := shipped(t)
	malIP := alert.Observable{Type: alert.IPv4, Value: "198.51.100.7", Class: "public", Role: "dst", Findings: mal("ipsum")}
	malDomain := alert.Observable{Type: alert.Domain, Value: "c2.example", Class: "external", Findings: mal("maltrail")}
	malHash := alert.Observable{Type: alert.SHA256, Value: "9e1c", Findings: mal("malwarebazaar")}
	hostAlert := &alert.Alert{ID: "a-1", Entities: alert.Entities{
		Hosts: []alert.Host{{Name: "ws-22"}}, Users: []alert.User{{Name: "jdoe"}}}}
	mailAlert := &alert.Alert{ID: "m-1", Entities: alert.Entities{Email: &alert.Email{From: "x@bad.example"}}}
	for _, c := range []struct {
		name     string
		category string
		score    int
		alert    *alert.Alert
		obs      []alert.Observable
	}{
		{"malware escalated", "malware", 90, hostAlert, []alert.Observable{malHash, malIP}},
		{"malware investigated", "malware", 60, hostAlert, []alert.Observable{malHash}},
		{"lateral movement escalated", "lateral_movement", 85, hostAlert, nil},
		{"exfiltration escalated", "exfiltration", 80, hostAlert, []alert.Observable{malDomain, malIP}},
		{"phishing with a bad link", "phishing", 55, mailAlert, []alert.Observable{malDomain}},
		{"phishing escalated without evidence", "phishing", 95, mailAlert, nil},
		{"web attack from a bad IP", "web_attack", 40, hostAlert, []alert.Observable{malIP}},
		{"scanning reviewed", "scanning", 30, hostAlert, []alert.Observable{malIP, malDomain, malHash}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, mode := range []classify.Mode{classify.Shadow, classify.Assisted} {
				r := classify.Classify(classify.Policy{Mode: mode}, &classify.Input{
					Score: score.Result{Score: c.score, Category: c.category}, Alert: c.alert, Observables: c.obs,
				})
				if len(r.Actions) == 0 {
					t.Fatalf("classify proposes nothing for %s: the case tests nothing", c.name)
				}
				got := p.Propose(Input{Category: c.category, Alert: c.alert, Observables: c.obs,
					Mode: string(mode), Disposition: r.Disposition})
				for _, want := range r.Actions {
					found := false
					for _, g := range got {
						if g.Type == want.Type && g.Target == want.Target {
							found = true
							if want.Status == alert.ActionPendingApproval && g.Status != want.Status {
								t.Errorf("%s %s: status %s, classify holds it for approval", g.Type, g.Target, g.Status)
							}
						}
					}
					if !found {
						t.Errorf("mode %s: classify proposes %s %s, playbooks do not: %s", mode, want.Type, want.Target, show(got))
					}
				}
			}
		})
	}
}
