package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/enrich"
	"github.com/winnow-soc/winnow/internal/intel"
)

// scripted is a provider that always answers the same way.
type scripted struct {
	findings []alert.Finding
	err      error
}

func (s *scripted) Name() string                         { return "scripted" }
func (s *scripted) Supports(t alert.ObservableType) bool { return true }
func (s *scripted) Enrich(context.Context, alert.Observable) ([]alert.Finding, error) {
	return s.findings, s.err
}

func noiseAlert() alert.Alert {
	return alert.Alert{
		Source:   "suricata",
		ID:       "n-1",
		Time:     time.Date(2026, 11, 23, 10, 7, 12, 0, time.UTC),
		Title:    "ET INFO Observed DNS Query to .cloud TLD",
		Severity: alert.SeverityLow,
		Rule:     alert.Rule{ID: "2027758", Category: "Potentially Bad Traffic"},
		Entities: alert.Entities{
			Src:     []alert.Endpoint{{IP: "10.0.5.37", Port: 53122}},
			Dst:     []alert.Endpoint{{IP: "8.8.8.8", Port: 53}},
			Domains: []string{"status.example.cloud"},
			URLs:    []string{"http://status.example.cloud/health"},
		},
	}
}

// TestOnlineEnrichmentGuard checks that a failed online lookup never lets
// an alert be auto-closed, that the decision names the missing evidence,
// and that a provider that answers only adds evidence.
func TestOnlineEnrichmentGuard(t *testing.T) {
	offline, err := New(context.Background(), config.Default(), Options{Intel: intel.Empty()})
	if err != nil {
		t.Fatal(err)
	}
	a := noiseAlert()
	base, err := offline.Decide(&a)
	if err != nil {
		t.Fatal(err)
	}
	if base.Disposition != alert.AutoClose {
		t.Fatalf("offline disposition = %s, want auto_close (the premise of this test)", base.Disposition)
	}
	// The relation graph comes from offline evidence too.
	if len(base.Relations) == 0 {
		t.Errorf("without online enrichers the decision has no relations")
	}
	tests := []struct {
		name        string
		provider    *scripted
		disposition alert.Disposition
		note        string
	}{
		{"provider down", &scripted{err: connector.Errorf(connector.Retryable, "503")}, alert.Review,
			"vt: lookup failed (retryable); evidence missing. Held at review, not auto-closed"},
		{"bad credentials", &scripted{err: connector.Errorf(connector.Unauthorized, "401")}, alert.Review,
			"vt: lookup failed (unauthorized); evidence missing."},
		{"benign answer", &scripted{findings: []alert.Finding{{Source: "virustotal", Reputation: alert.Benign, Raw: []byte(`{}`)}}}, alert.AutoClose, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			on := enrich.NewOnline([]*enrich.Provider{enrich.Govern(tt.provider, enrich.Policy{Name: "vt", Reliability: "B"}, enrich.Stores{}, nil)}, 0, 0)
			eng, err := New(context.Background(), config.Default(), Options{Intel: intel.Empty(), Online: on})
			if err != nil {
				t.Fatal(err)
			}
			a := noiseAlert()
			p, err := eng.Prepare(&a)
			if err != nil {
				t.Fatal(err)
			}
			d := eng.conclude(p, nil)
			// The hold and its notes replay from the audit record.
			checkReplay(t, eng, AuditRecord(p, &d, "test", eng.ContentVersion()))
			if d.Disposition != tt.disposition {
				t.Errorf("disposition = %s, want %s (reasoning: %s)", d.Disposition, tt.disposition, d.Reasoning)
			}
			if tt.note != "" && !strings.Contains(d.Reasoning, tt.note) {
				t.Errorf("reasoning lacks %q: %s", tt.note, d.Reasoning)
			}
			if tt.note == "" && strings.Contains(d.Reasoning, "evidence missing") {
				t.Errorf("reasoning names missing evidence after a good answer: %s", d.Reasoning)
			}
			for _, o := range d.Observables {
				for _, f := range o.Findings {
					if f.Raw != nil {
						t.Errorf("raw payload kept in the decision: %+v", f)
					}
				}
			}
			want := alert.Relation{From: "url:http://status.example.cloud/health", To: "domain:status.example.cloud", Kind: "hosted_on", Source: "url"}
			found := false
			for _, r := range d.Relations {
				found = found || r == want
			}
			if !found {
				t.Errorf("relations = %+v, want %+v", d.Relations, want)
			}
		})
	}
}
