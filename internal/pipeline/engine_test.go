package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/score"
)

const twoTenants = `
default_tenant: acme
tenants:
  - id: acme
    time_zone: UTC
    mode: assisted
    assets:
      - { name: web-prod-01, ips: [10.0.1.20], criticality: high }
      - { name: dc01, ips: [10.0.0.10], criticality: critical }
      - { name: kiosk, ips: [10.0.9.9], criticality: low }
    identities:
      - { user: j.doe, vip: true, role: executive }
      - { user: svc_backup, role: service }
  - id: globex
    time_zone: America/New_York
    match:
      hosts: ["gx-*"]
`

func twoTenantEngine(t testing.TB) *Engine {
	t.Helper()
	cfg, err := config.Parse("two.yaml", []byte(twoTenants))
	if err != nil {
		t.Fatalf("parse config: %v", err)
	}
	eng, err := New(context.Background(), cfg, Options{Intel: intel.Empty()})
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	return eng
}

func baseAlert() alert.Alert {
	return alert.Alert{
		Source:   "suricata",
		ID:       "a-1",
		Time:     time.Date(2026, 3, 2, 10, 0, 0, 123456789, time.UTC),
		Title:    "ET TEST something",
		Severity: alert.SeverityMedium,
	}
}

func factor(d alert.Decision, name string) (alert.Factor, bool) {
	for _, f := range d.Factors {
		if f.Name == name {
			return f, true
		}
	}
	return alert.Factor{}, false
}

func TestEngineTenantRouting(t *testing.T) {
	eng := twoTenantEngine(t)
	tests := []struct {
		name       string
		tenant     string
		hosts      []alert.Host
		wantTenant string
		wantErr    string
	}{
		{"no tenant no match goes to default", "", nil, "acme", ""},
		{"host match routes", "", []alert.Host{{Name: "gx-web01"}}, "globex", ""},
		{"host without match goes to default", "", []alert.Host{{Name: "acme-dc"}}, "acme", ""},
		{"explicit tenant wins over match", "acme", []alert.Host{{Name: "gx-web01"}}, "acme", ""},
		{"unknown tenant is an error", "initech", nil, "", `unknown tenant "initech"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := baseAlert()
			a.Tenant = tt.tenant
			a.Entities.Hosts = tt.hosts
			d, err := eng.Decide(&a)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Tenant != tt.wantTenant {
				t.Errorf("tenant = %q, want %q", d.Tenant, tt.wantTenant)
			}
		})
	}
}

func TestEngineContext(t *testing.T) {
	eng := twoTenantEngine(t)
	tests := []struct {
		name      string
		entities  alert.Entities
		wantAsset string // substring of the asset_criticality detail; "" for none
		wantUser  string // substring of the user_criticality detail; "" for none
	}{
		{"no context", alert.Entities{Src: []alert.Endpoint{{IP: "198.51.100.1"}}}, "", ""},
		{"destination asset", alert.Entities{Dst: []alert.Endpoint{{IP: "10.0.1.20"}}}, "web-prod-01", ""},
		{"most critical of several", alert.Entities{
			Src: []alert.Endpoint{{IP: "10.0.9.9"}},
			Dst: []alert.Endpoint{{IP: "10.0.1.20"}, {IP: "10.0.0.10"}},
		}, "dc01", ""},
		{"host by name", alert.Entities{Hosts: []alert.Host{{Name: "web-prod-01"}}}, "web-prod-01", ""},
		{"low criticality adds nothing", alert.Entities{Hosts: []alert.Host{{Name: "kiosk"}}}, "", ""},
		{"vip executive over service", alert.Entities{Users: []alert.User{{Name: "svc_backup"}, {Name: "j.doe"}}}, "", "j.doe"},
		{"email recipient", alert.Entities{Email: &alert.Email{From: "x@example.org", To: []string{"j.doe"}}}, "", "j.doe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := baseAlert()
			a.Entities = tt.entities
			d, err := eng.Decide(&a)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := factor(d, score.FactorAssetCriticality)
			if tt.wantAsset == "" && ok {
				t.Errorf("unexpected asset factor %+v", f)
			}
			if tt.wantAsset != "" && (!ok || !strings.Contains(f.Detail, tt.wantAsset)) {
				t.Errorf("asset factor = %+v (found %v), want it to name %q", f, ok, tt.wantAsset)
			}
			f, ok = factor(d, score.FactorUserCriticality)
			if tt.wantUser == "" && ok {
				t.Errorf("unexpected user factor %+v", f)
			}
			if tt.wantUser != "" && (!ok || !strings.Contains(f.Detail, tt.wantUser)) {
				t.Errorf("user factor = %+v (found %v), want it to name %q", f, ok, tt.wantUser)
			}
		})
	}
}

func TestEngineDecisionShape(t *testing.T) {
	eng := testEngine(t)
	a := baseAlert()
	d, err := eng.Decide(&a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	// Empty lists are [] and the incident is null, never omitted: consumers
	// rely on every key being present.
	for _, want := range []string{`"observables":[]`, `"techniques":[]`, `"actions":[]`, `"incident_id":null`, `"time":"2026-03-02T10:00:00.123456Z"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("decision JSON lacks %s:\n%s", want, b)
		}
	}
	if d.AlertID != a.ID || d.Source != a.Source || d.Title != a.Title || d.Tenant != config.DefaultTenantID {
		t.Errorf("identity fields not carried over: %+v", d)
	}
}

func TestEngineAccessors(t *testing.T) {
	store := intel.Empty()
	eng, err := New(context.Background(), config.Default(), Options{Intel: store})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Intel() != store {
		t.Error("Intel() is not the store given in Options")
	}
	if eng.DefaultTenant() != config.DefaultTenantID {
		t.Errorf("DefaultTenant() = %q", eng.DefaultTenant())
	}
	if eng.ContentVersion() == "" {
		t.Error("ContentVersion() is empty")
	}
}

func TestNewLoadsConfiguredFeeds(t *testing.T) {
	cfg := config.Default()
	cfg.Intel.Feeds = []config.Feed{{Name: "tor", Kind: config.FeedTor, Path: "testdata/absent.lst", Reliability: "A"}}
	_, err := New(context.Background(), cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "load intel") || !strings.Contains(err.Error(), "absent.lst") {
		t.Errorf("New with a missing feed: err = %v, want a load intel error naming the file", err)
	}
}

// TestEngineConcurrentDecide runs Decide from many goroutines (run with
// -race) and checks every result equals the sequential one.
func TestEngineConcurrentDecide(t *testing.T) {
	eng := twoTenantEngine(t)
	alerts := make([]alert.Alert, 64)
	for i := range alerts {
		a := baseAlert()
		a.ID = strings.Repeat("x", i%7) + string(rune('a'+i%26))
		a.Entities.Dst = []alert.Endpoint{{IP: []string{"10.0.1.20", "10.0.0.10", "10.0.9.9", "192.0.2.1"}[i%4]}}
		a.Entities.Users = []alert.User{{Name: []string{"j.doe", "svc_backup", "nobody"}[i%3]}}
		a.Text = []string{"beacon to hxxp://evil[.]example[.]net/x from 10.0.5." + string(rune('0'+i%10))}
		alerts[i] = a
	}
	encode := func(a alert.Alert) string {
		d, err := eng.Decide(&a)
		if err != nil {
			t.Error(err)
			return ""
		}
		b, _ := json.Marshal(&d)
		return string(b)
	}
	want := make([]string, len(alerts))
	for i, a := range alerts {
		want[i] = encode(a)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range alerts {
				i := (k + g*7) % len(alerts)
				if got := encode(alerts[i]); got != want[i] {
					t.Errorf("alert %d decided differently under concurrency", i)
				}
			}
		})
	}
	wg.Wait()
}
