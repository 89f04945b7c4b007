package decide

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func defaultPolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy: %v", err)
	}
	return p
}

// TestShippedPolicy covers content/policies/default.yaml: it compiles and
// its own test cases pass.
func TestShippedPolicy(t *testing.T) {
	p := defaultPolicy(t)
	res := p.RunTests()
	if len(res) < 8 {
		t.Fatalf("default policy has %d test cases, want at least 8", len(res))
	}
	for _, r := range res {
		t.Run(r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Errorf("%s; outcome %+v", strings.Join(r.Problems, "; "), r.Outcome)
			}
		})
	}
}

// Reference cases of issue 5, as the sequential stage would present them.
var (
	phishingCFO = Input{
		Tenant: "acme", Mode: "assisted", Score: 92, Disposition: "escalate", Verdict: "true_positive",
		Category: "phishing", Techniques: []string{"T1566.001"}, Tactics: []string{"initial-access"},
		Alert: AlertOf(&alert.Alert{ID: "o365-4711", Source: "proofpoint", Title: "Malicious attachment delivered",
			Severity: alert.SeverityHigh}),
		User: User{Name: "m.dupont", VIP: true, Role: "executive"},
		Observables: ObservablesOf([]alert.Observable{
			{Type: alert.EmailAd, Value: "invoice@acme-billing.co", Role: "sender"},
			{Type: alert.SHA256, Value: "a3f1", Findings: []alert.Finding{{Source: "malwarebazaar", Reputation: alert.Malicious, Family: "AgentTesla"}}},
		}),
		Hour: 10,
	}
	sshBruteForce = Input{
		Tenant: "acme", Mode: "assisted", Score: 30, Disposition: "review", Verdict: "needs_review",
		Category: "brute_force", Techniques: []string{"T1110.001"}, Tactics: []string{"credential-access"},
		Asset: Asset{Name: "web-prod-01", Criticality: "high", Tags: []string{"production", "web"}},
		User:  User{Name: "root"},
		Observables: ObservablesOf([]alert.Observable{
			{Type: alert.IPv4, Value: "185.220.101.4", Class: "public", Role: "src",
				Findings: []alert.Finding{{Source: "tor", Reputation: alert.Suspicious, Categories: []string{"tor_exit"}}}},
		}),
		Hour: 14,
	}
	lateralToDC = Input{
		Tenant: "acme", Mode: "assisted", Score: 81, Disposition: "escalate", Verdict: "true_positive",
		Category: "lateral_movement", Techniques: []string{"T1021.002"}, Tactics: []string{"lateral-movement"},
		Asset: Asset{Name: "dc01", Criticality: "critical", Tags: []string{"domain_controller"}},
		User:  User{Name: "svc_backup", Role: "service", DomainAdmin: true},
		Observables: ObservablesOf([]alert.Observable{
			{Type: alert.IPv4, Value: "10.2.3.44", Class: "private", Role: "src"},
			{Type: alert.HostID, Value: "dc01", Role: "dst"},
		}),
		Incident: IncidentOf(&alert.Incident{ID: "inc-acme-1", Kinds: []string{alert.IncidentKillChain},
			Alerts: []string{"ps-1", "smb-2"}, Score: 88}),
		Hour: 2,
	}
)

func TestDefaultRules(t *testing.T) {
	p := defaultPolicy(t)
	burst := Input{Tenant: "acme", Mode: "assisted", Asset: Asset{Name: "ws-mkt-07"},
		Incident: Incident{ID: "inc-9", Kinds: []string{"burst"}, Burst: true, Size: 5}}
	burstShadow := burst
	burstShadow.Mode = "shadow"
	burstNoHost := burst
	burstNoHost.Asset = Asset{}
	for _, c := range []struct {
		name             string
		in               Input
		fired            []string
		priority         alert.Priority
		min              alert.Disposition
		tier             string
		notify           []string
		actions          []alert.Action
		escalateIncident bool
	}{
		{name: "phishing to a VIP escalates to L2", in: phishingCFO, fired: []string{"vip_escalation"},
			min: alert.Investigate, tier: "L2", notify: []string{"soc-l2"}},
		{name: "brute force on a high asset fires nothing", in: sshBruteForce},
		{name: "kill chain to the DC", in: lateralToDC,
			fired:    []string{"critical_asset_p1", "vip_escalation", "kill_chain_escalation"},
			priority: alert.P1, min: alert.Escalate, tier: "L2", notify: []string{"soc-l2"}, escalateIncident: true},
		{name: "scada tag is P1", in: Input{Asset: Asset{Name: "plc3", Tags: []string{"ot", "scada"}}},
			fired: []string{"critical_asset_p1"}, priority: alert.P1, min: alert.Investigate},
		{name: "admin role escalates", in: Input{User: User{Name: "adm", Role: "admin"}},
			fired: []string{"vip_escalation"}, min: alert.Investigate, tier: "L2", notify: []string{"soc-l2"}},
		{name: "burst isolates pending approval", in: burst, fired: []string{"burst_containment"},
			min: alert.Investigate, tier: "L2",
			actions: []alert.Action{{Type: "isolate_host", Target: "ws-mkt-07", Risk: alert.RiskHigh,
				RequiresApproval: true, Status: alert.ActionPendingApproval}}},
		{name: "burst in shadow is recorded", in: burstShadow, fired: []string{"burst_containment"},
			min: alert.Investigate, tier: "L2",
			actions: []alert.Action{{Type: "isolate_host", Target: "ws-mkt-07", Risk: alert.RiskHigh,
				RequiresApproval: true, Status: alert.ActionRecorded}}},
		{name: "burst without a host proposes nothing", in: burstNoHost, fired: []string{"burst_containment"},
			min: alert.Investigate, tier: "L2"},
		{name: "empty input fires nothing", in: Input{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := p.Evaluate(&c.in)
			if len(got.Errors) > 0 {
				t.Fatalf("errors: %v", got.Errors)
			}
			if !slices.Equal(got.Fired, c.fired) {
				t.Errorf("Fired = %v, want %v", got.Fired, c.fired)
			}
			if got.Priority != c.priority || got.MinDisposition != c.min || got.EscalateTo != c.tier {
				t.Errorf("priority, min, tier = %q %q %q, want %q %q %q",
					got.Priority, got.MinDisposition, got.EscalateTo, c.priority, c.min, c.tier)
			}
			if !reflect.DeepEqual(got.Notify, c.notify) {
				t.Errorf("Notify = %v, want %v", got.Notify, c.notify)
			}
			if !reflect.DeepEqual(got.Actions, c.actions) {
				t.Errorf("Actions = %+v, want %+v", got.Actions, c.actions)
			}
			if got.EscalateIncident != c.escalateIncident {
				t.Errorf("EscalateIncident = %v, want %v", got.EscalateIncident, c.escalateIncident)
			}
		})
	}
}

const mergePolicy = `
rules:
  - name: low_tier
    when: 'score > 10'
    then: { priority: P3, escalate_to: L1, min_disposition: review, notify: [zeta, alpha] }
  - name: high_tier
    when: 'score > 20'
    then: { priority: P2, escalate_to: L3, min_disposition: investigate, notify: [alpha, beta] }
  - name: mid_tier
    when: 'score > 30'
    then: { priority: P4, escalate_to: L2, min_disposition: auto_close }
  - name: block_bad
    when: 'observables.exists(o, o.malicious)'
    then:
      propose:
        - { type: block_ip, target: src_ip, risk: low, params: { duration: 30d } }
        - { type: block_domain, target: domain, risk: high }
        - { type: isolate_host, target: host, risk: high }
  - name: block_again
    when: 'true'
    then: { propose: [{ type: block_ip, target: src_ip, risk: low }] }
  - name: tenant_rule
    when: 'tenant == "acme" && hour < 6'
    then: { notify: [acme-night] }
`

func TestEvaluateMerges(t *testing.T) {
	p, err := Compile("merge", []byte(mergePolicy))
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Tenant: "acme", Mode: "assisted", Score: 40, Hour: 3,
		Asset: Asset{Name: "ws1"},
		Observables: []Observable{
			{Type: "ipv4", Value: "10.0.0.5", Class: "private", Role: "src", Malicious: true},
			{Type: "ipv4", Value: "203.0.113.9", Class: "public", Role: "src", Malicious: true},
			{Type: "ipv4", Value: "198.51.100.7", Class: "public", Role: "src"},
			{Type: "domain", Value: "corp.local", Class: "internal", Malicious: true},
			{Type: "domain", Value: "evil.example", Class: "external", Malicious: true},
		}}
	got := p.Evaluate(&in)
	want := Outcome{
		Fired:          []string{"low_tier", "high_tier", "mid_tier", "block_bad", "block_again", "tenant_rule"},
		Priority:       alert.P2,
		MinDisposition: alert.Investigate,
		EscalateTo:     "L3",
		Notify:         []string{"acme-night", "alpha", "beta", "zeta"},
		Reasons: []string{
			"rule low_tier: priority P3; at least review; escalate to L1; notify zeta, alpha",
			"rule high_tier: priority P2; at least investigate; escalate to L3; notify alpha, beta",
			"rule mid_tier: priority P4; at least auto_close; escalate to L2",
			"rule block_bad: propose block_ip on src_ip; propose block_domain on domain; propose isolate_host on host",
			"rule block_again: propose block_ip on src_ip",
			"rule tenant_rule: notify acme-night",
		},
		Actions: []alert.Action{
			{Type: "block_ip", Target: "203.0.113.9", Risk: "low", Status: "proposed", Params: map[string]string{"duration": "30d"}},
			{Type: "block_domain", Target: "evil.example", Risk: "high", RequiresApproval: true, Status: "pending_approval"},
			{Type: "isolate_host", Target: "ws1", Risk: "high", RequiresApproval: true, Status: "pending_approval"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Evaluate =\n%+v\nwant\n%+v", got, want)
	}

	t.Run("tenants are evaluated alone", func(t *testing.T) {
		other := in
		other.Tenant = "globex"
		g := p.Evaluate(&other)
		if slices.Contains(g.Fired, "tenant_rule") || slices.Contains(g.Notify, "acme-night") {
			t.Errorf("acme's rule fired for globex: %+v", g)
		}
		// Evaluating acme again after globex gives the first outcome: no
		// state links the two tenants' alerts.
		if again := p.Evaluate(&in); !reflect.DeepEqual(again, got) {
			t.Errorf("second acme outcome differs:\n%+v\n%+v", again, got)
		}
	})
}

func TestEvaluateErrors(t *testing.T) {
	const src = `
rules:
  - name: out_of_range
    when: 'alert.tags[3] == "x"'
    then: { priority: P1 }
  - name: divide
    when: '100 / (score - 50) > 1'
    then: { priority: P2 }
  - name: pairwise
    when: 'observables.all(a, observables.all(b, a.value != b.value || a.type == b.type))'
    then: { notify: [pairs] }
  - name: still_fires
    when: 'score >= 0'
    then: { notify: [ok] }
`
	p, err := Compile("errors", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	many := make([]Observable, 300)
	for i := range many {
		many[i] = Observable{Type: "ipv4", Value: fmt.Sprintf("192.0.2.%d", i%250)}
	}
	for _, c := range []struct {
		name   string
		in     Input
		fired  []string
		errors []string
	}{
		{name: "index and division errors", in: Input{Score: 50},
			fired:  []string{"pairwise", "still_fires"},
			errors: []string{"out_of_range: index out of bounds", "divide: division by zero"}},
		{name: "no errors", in: Input{Score: 60, Alert: Alert{Tags: []string{"a", "b", "c", "x"}}},
			fired: []string{"out_of_range", "divide", "pairwise", "still_fires"}},
		{name: "cost limit", in: Input{Score: 60, Alert: Alert{Tags: []string{"a", "b", "c", "x"}}, Observables: many},
			fired:  []string{"out_of_range", "divide", "still_fires"},
			errors: []string{"pairwise: operation cancelled: actual cost limit exceeded"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := p.Evaluate(&c.in)
			if !slices.Equal(got.Fired, c.fired) {
				t.Errorf("Fired = %v, want %v", got.Fired, c.fired)
			}
			if len(got.Errors) != len(c.errors) {
				t.Fatalf("Errors = %q, want %q", got.Errors, c.errors)
			}
			for i, e := range c.errors {
				if !strings.Contains(got.Errors[i], e) {
					t.Errorf("Errors[%d] = %q, want it to contain %q", i, got.Errors[i], e)
				}
			}
		})
	}
}

// TestInvalidPolicies compiles testdata/invalid/*.yaml; each file's leading
// "# wantErr: " lines name fragments the error must contain.
func TestInvalidPolicies(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/invalid/*.yaml files (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var wants []string
			for line := range strings.Lines(string(src)) {
				w, ok := strings.CutPrefix(line, "# wantErr: ")
				if !ok {
					break
				}
				wants = append(wants, strings.TrimSpace(w))
			}
			if len(wants) == 0 {
				t.Fatalf("%s has no # wantErr: line", f)
			}
			_, err = Compile(filepath.Base(f), src)
			if err == nil {
				t.Fatalf("Compile succeeded, want an error containing %q", wants)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRunTestsReportsFailures(t *testing.T) {
	const src = `
rules:
  - name: hot
    when: 'score > 90'
    then: { priority: P1, notify: [pager] }
tests:
  - name: passes
    input: { score: 95 }
    want: { fired: [hot], priority: P1, notify: [pager], errors: 0, escalate_incident: false }
  - name: wrong priority
    input: { score: 95 }
    want: { priority: P2 }
  - name: wrong fired
    input: { score: 10 }
    want: { fired: [hot], actions: [{ type: isolate_host, target: h }] }
`
	p, err := Compile("self", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res := p.RunTests()
	wantProblems := [][]string{nil, {"priority = P1, want P2"}, {"fired = [] , want [hot]", "actions"}}
	if len(res) != len(wantProblems) {
		t.Fatalf("got %d results, want %d", len(res), len(wantProblems))
	}
	for i, r := range res {
		t.Run(r.Name, func(t *testing.T) {
			if len(r.Problems) != len(wantProblems[i]) {
				t.Fatalf("Problems = %q, want %d of them", r.Problems, len(wantProblems[i]))
			}
			if r.Passed() != (len(wantProblems[i]) == 0) {
				t.Errorf("Passed() = %v", r.Passed())
			}
		})
	}
	if !strings.HasPrefix(res[1].Problems[0], "priority = P1, want P2") {
		t.Errorf("problem = %q", res[1].Problems[0])
	}
}

// TestScenarioGolden pins the outcomes of the reference cases as JSON;
// refresh with UPDATE_GOLDEN=1.
func TestScenarioGolden(t *testing.T) {
	p := defaultPolicy(t)
	type named struct {
		Case    string  `json:"case"`
		Outcome Outcome `json:"outcome"`
	}
	var out []named
	for _, c := range []struct {
		name string
		in   Input
	}{{"phishing_cfo", phishingCFO}, {"ssh_brute_force", sshBruteForce}, {"lateral_to_dc", lateralToDC}} {
		out = append(out, named{c.name, p.Evaluate(&c.in)})
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const golden = "testdata/scenarios.golden.json"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (UPDATE_GOLDEN=1 writes it): %v", golden, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("outcomes differ from %s:\n%s", golden, got)
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	p := defaultPolicy(t)
	first, _ := json.Marshal(p.Evaluate(&lateralToDC))
	for range 20 {
		again, _ := json.Marshal(p.Evaluate(&lateralToDC))
		if !bytes.Equal(first, again) {
			t.Fatalf("outcome changed between runs:\n%s\n%s", first, again)
		}
	}
}

func BenchmarkEvaluateDefault(b *testing.B) {
	p := defaultPolicy(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(&lateralToDC)
	}
}

func BenchmarkEvaluateNothingFires(b *testing.B) {
	p := defaultPolicy(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Evaluate(&sshBruteForce)
	}
}

func TestSet(t *testing.T) {
	def := defaultPolicy(t)
	acme, err := Compile("acme", []byte(`
rules:
  - name: acme_night_shift
    when: 'hour < 6 && score >= 50'
    then: { priority: P2, notify: [acme-night] }
`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(def, map[string]*Policy{"acme": acme})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSet(nil, nil); err == nil {
		t.Error("NewSet without a default policy succeeded")
	}
	if _, err := NewSet(def, map[string]*Policy{"x": nil}); err == nil {
		t.Error("NewSet with a nil tenant policy succeeded")
	}
	night := Input{Score: 60, Hour: 2, User: User{Name: "cfo", VIP: true}}
	for _, c := range []struct {
		tenant string
		fired  []string
	}{
		{"acme", []string{"acme_night_shift"}},
		{"globex", []string{"vip_escalation"}},
		{"", []string{"vip_escalation"}},
	} {
		t.Run(c.tenant, func(t *testing.T) {
			in := night
			in.Tenant = c.tenant
			if got := set.Evaluate(&in); !slices.Equal(got.Fired, c.fired) {
				t.Errorf("Fired = %v, want %v", got.Fired, c.fired)
			}
		})
	}
}

// TestEvaluateConcurrent: a compiled policy is shared by goroutines (run
// with -race).
func TestEvaluateConcurrent(t *testing.T) {
	p := defaultPolicy(t)
	want, _ := json.Marshal(p.Evaluate(&lateralToDC))
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			for range 50 {
				in := lateralToDC
				if got, _ := json.Marshal(p.Evaluate(&in)); !bytes.Equal(got, want) {
					errs <- string(got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent outcome differs: %s", e)
	}
}
