package respond

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/winnow-soc/winnow/alert"
)

func shipped(t testing.TB) *Playbooks {
	t.Helper()
	p, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return p
}

func mal(source string) []alert.Finding {
	return []alert.Finding{{Source: source, Reputation: alert.Malicious}}
}

// Reference cases of issue 5.
var (
	phishingCFO = Input{
		Category: "phishing", Mode: "assisted", Disposition: alert.Escalate,
		Alert: &alert.Alert{ID: "pp-4711", Source: "proofpoint", Entities: alert.Entities{
			Email: &alert.Email{From: "invoice@acme-billing.co", To: []string{"m.dupont@acme.example"}}}},
		Asset: Asset{Name: "ws-fin-02", Criticality: "medium"},
		User:  User{Name: "m.dupont", VIP: true, Role: "executive"},
		Observables: []alert.Observable{
			{Type: alert.EmailAd, Value: "invoice@acme-billing.co", Role: "sender"},
			{Type: alert.EmailAd, Value: "m.dupont@acme.example", Role: "recipient"},
			{Type: alert.Domain, Value: "acme-billing.co", Class: "external",
				Findings: []alert.Finding{{Source: "rdap", Reputation: alert.Suspicious, Detail: "registered 2 days ago"}}},
			{Type: alert.URL, Value: "https://acme-billing.co/inv.zip", Findings: mal("urlhaus")},
			{Type: alert.SHA256, Value: "5f3a", Findings: []alert.Finding{{Source: "malwarebazaar", Reputation: alert.Malicious, Family: "AgentTesla"}}},
		},
	}
	sshBruteForce = Input{
		Category: "brute_force", Mode: "assisted", Disposition: alert.Review,
		Asset: Asset{Name: "web-prod-01", Criticality: "high", Tags: []string{"production", "web"}},
		User:  User{Name: "root"},
		Observables: []alert.Observable{
			{Type: alert.IPv4, Value: "185.220.101.4", Class: "public", Role: "src",
				Findings: []alert.Finding{{Source: "tor", Reputation: alert.Suspicious, Categories: []string{"tor_exit"}}}},
			{Type: alert.IPv4, Value: "10.0.5.20", Class: "private", Role: "dst"},
		},
	}
	lateralToDC = Input{
		Category: "lateral_movement", Mode: "assisted", Disposition: alert.Escalate, InIncident: true,
		Asset: Asset{Name: "ws-mkt-07", Criticality: "medium"},
		User:  User{Name: "svc_backup", Role: "service", DomainAdmin: true},
		Observables: []alert.Observable{
			{Type: alert.IPv4, Value: "10.2.3.44", Class: "private", Role: "src"},
			{Type: alert.IPv4, Value: "10.0.0.10", Class: "private", Role: "dst"},
		},
	}
)

// act is an action in test-table shorthand: risk and status, and params.
func act(typ, target, risk, status string, params ...string) alert.Action {
	a := alert.Action{Type: typ, Target: target, Risk: risk, RequiresApproval: risk == alert.RiskHigh, Status: status}
	if len(params) > 0 {
		a.Params = map[string]string{}
		for i := 0; i+1 < len(params); i += 2 {
			a.Params[params[i]] = params[i+1]
		}
	}
	return a
}

const (
	low, high                 = alert.RiskLow, alert.RiskHigh
	proposed, pending, record = alert.ActionProposed, alert.ActionPendingApproval, alert.ActionRecorded
)

func TestShippedPlaybooks(t *testing.T) {
	p := shipped(t)
	want := []string{"account_compromise", "brute_force", "exfiltration", "lateral_movement", "malware", "phishing"}
	if got := p.Categories(); !reflect.DeepEqual(got, want) {
		t.Errorf("Categories() = %v, want %v", got, want)
	}
	if p.any == nil {
		t.Error("no playbook for category any")
	}
}

func TestPlaybooks(t *testing.T) {
	p := shipped(t)
	accountVIP := Input{Category: "account_compromise", Mode: "assisted", Disposition: alert.Investigate,
		User: User{Name: "cfo", VIP: true}}
	accountPlain := accountVIP
	accountPlain.User = User{Name: "jdoe", Role: "user"}
	malware := Input{Category: "malware", Mode: "assisted", Disposition: alert.Escalate,
		Alert: &alert.Alert{Entities: alert.Entities{Hosts: []alert.Host{{IP: "10.1.1.9"}}}},
		Observables: []alert.Observable{
			{Type: alert.MD5, Value: "d41d8cd9", Findings: mal("malwarebazaar")},
			{Type: alert.SHA1, Value: "da39a3ee"},
		}}
	malwareInvestigate := malware
	malwareInvestigate.Disposition = alert.Investigate
	exfil := Input{Category: "exfiltration", Mode: "assisted", Disposition: alert.Escalate,
		Asset: Asset{Name: "fs01"}, User: User{Name: "jdoe"},
		Observables: []alert.Observable{
			{Type: alert.IPv4, Value: "203.0.113.50", Class: "public", Role: "dst"},
			{Type: alert.Domain, Value: "paste.example", Class: "external", Findings: mal("maltrail")},
		}}
	bruteIncident := sshBruteForce
	bruteIncident.InIncident = true
	for _, c := range []struct {
		name string
		in   Input
		want []alert.Action
	}{
		{"phishing to a VIP", phishingCFO, []alert.Action{
			act("block_sender", "invoice@acme-billing.co", high, pending),
			act("block_domain", "acme-billing.co", high, pending),
			act("block_url", "https://acme-billing.co/inv.zip", low, proposed),
			act("purge_message", "pp-4711", high, pending),
			act("check_clicks", "pp-4711", high, pending, "lookback", "7d"),
			act("reset_password", "m.dupont", high, pending),
			act("isolate_host", "ws-fin-02", high, pending),
			act("block_hash", "5f3a", high, pending),
		}},
		{"ssh brute force from tor", sshBruteForce, []alert.Action{
			act("block_ip", "185.220.101.4", low, proposed, "duration", "30d"),
		}},
		{"brute force in an incident audits the account", bruteIncident, []alert.Action{
			act("block_ip", "185.220.101.4", low, proposed, "duration", "30d"),
			act("audit_logons", "root", low, proposed, "window", "24h"),
		}},
		{"lateral movement with a domain admin", lateralToDC, []alert.Action{
			act("isolate_host", "ws-mkt-07", high, pending),
			act("disable_account", "svc_backup", high, pending),
			act("block_smb", "ws-mkt-07", high, pending, "ports", "139,445"),
			act("audit_logons", "ws-mkt-07", high, pending, "protocols", "rdp,smb", "window", "7d"),
		}},
		{"malware escalated isolates the host by IP", malware, []alert.Action{
			act("block_hash", "d41d8cd9", high, pending),
			act("isolate_host", "10.1.1.9", high, pending),
		}},
		{"malware investigated only blocks", malwareInvestigate, []alert.Action{
			act("block_hash", "d41d8cd9", high, pending),
		}},
		{"account compromise of a VIP", accountVIP, []alert.Action{
			act("revoke_sessions", "cfo", high, pending),
			act("reset_mfa", "cfo", high, pending),
			act("audit_logons", "cfo", high, pending, "window", "7d"),
		}},
		{"account compromise of a plain user", accountPlain, []alert.Action{
			act("revoke_sessions", "jdoe", high, pending),
			act("reset_mfa", "jdoe", high, pending),
			act("audit_logons", "jdoe", low, proposed, "window", "7d"),
		}},
		{"exfiltration", exfil, []alert.Action{
			act("block_ip", "203.0.113.50", low, proposed),
			act("block_domain", "paste.example", high, pending),
			act("isolate_host", "fs01", high, pending),
			act("disable_account", "jdoe", high, pending),
			act("audit_transfers", "fs01", low, proposed, "window", "7d"),
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := p.Propose(c.in)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Propose =\n%s\nwant\n%s", show(got), show(c.want))
			}
		})
	}
}

func show(as []alert.Action) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "  %s %s %s %s %v\n", a.Type, a.Target, a.Risk, a.Status, a.Params)
	}
	return b.String()
}

func TestGuards(t *testing.T) {
	p := shipped(t)
	ip := func(v, class, role string, f ...alert.Finding) alert.Observable {
		return alert.Observable{Type: alert.IPv4, Value: v, Class: class, Role: role, Findings: f}
	}
	bad := alert.Finding{Source: "ipsum", Reputation: alert.Malicious}
	allow := alert.Finding{Source: "allowlist", Reputation: alert.Benign}
	base := func(cat string, d alert.Disposition, obs ...alert.Observable) Input {
		return Input{Category: cat, Mode: "assisted", Disposition: d, Observables: obs}
	}
	withMode := func(in Input, m string) Input { in.Mode = m; return in }
	withAsset := func(in Input, a Asset) Input { in.Asset = a; return in }
	internalPhish := phishingCFO
	internalPhish.Alert = &alert.Alert{ID: "pp-9", Entities: alert.Entities{Email: &alert.Email{From: "it@acme.example"}}}
	internalPhish.Observables = []alert.Observable{
		{Type: alert.Domain, Value: "acme.example", Class: "internal"},
		{Type: alert.URL, Value: "https://evil.example/x", Findings: mal("urlhaus")},
	}
	internalPhish.Disposition = alert.Investigate
	quietPhish := phishingCFO
	quietPhish.Disposition = alert.Investigate
	quietPhish.Observables = []alert.Observable{{Type: alert.EmailAd, Value: "invoice@acme-billing.co", Role: "sender"}}
	many := make([]alert.Observable, 40)
	for i := range many {
		many[i] = ip(fmt.Sprintf("198.51.100.%d", i+1), "public", "src", bad)
	}
	for _, c := range []struct {
		name string
		in   Input
		want []alert.Action
	}{
		{"public malicious IP is blocked", base("scanning", alert.Review, ip("198.51.100.1", "public", "src", bad)),
			[]alert.Action{act("block_ip", "198.51.100.1", low, proposed)}},
		{"private IP is never blocked", base("scanning", alert.Escalate, ip("10.9.9.9", "private", "src", bad)), nil},
		{"private IP with no class is never blocked", base("brute_force", alert.Escalate, ip("192.168.1.5", "", "src", bad)), nil},
		{"loopback IPv6 is never blocked", base("brute_force", alert.Escalate,
			alert.Observable{Type: alert.IPv6, Value: "::1", Role: "src", Findings: []alert.Finding{bad}}), nil},
		{"known-benign IP is never blocked", base("brute_force", alert.Escalate, ip("198.51.100.2", "public", "src", bad, allow)), nil},
		{"IP in the text is not a src or dst", base("other", alert.Escalate, ip("198.51.100.3", "public", "text", bad)), nil},
		{"unjudged public IP is not blocked outside brute force", base("web_attack", alert.Escalate, ip("198.51.100.4", "public", "src")), nil},
		{"internal domain is never blocked", base("other", alert.Escalate,
			alert.Observable{Type: alert.Domain, Value: "corp.local", Class: "internal", Findings: []alert.Finding{bad}}), nil},
		{"auto-closed alerts get nothing", base("scanning", alert.AutoClose, ip("198.51.100.1", "public", "src", bad)), nil},
		{"shadow mode records", withMode(base("scanning", alert.Review, ip("198.51.100.1", "public", "src", bad)), "shadow"),
			[]alert.Action{act("block_ip", "198.51.100.1", low, record)}},
		{"unknown mode records", withMode(base("scanning", alert.Review, ip("198.51.100.1", "public", "src", bad)), "yolo"),
			[]alert.Action{act("block_ip", "198.51.100.1", low, record)}},
		{"critical asset makes host steps high risk",
			withAsset(base("exfiltration", alert.Investigate), Asset{Name: "dc01", Tags: []string{"domain_controller"}}),
			[]alert.Action{act("audit_transfers", "dc01", high, pending, "window", "7d")}},
		{"internal sender is not blocked, the message is purged", internalPhish, []alert.Action{
			act("block_url", "https://evil.example/x", low, proposed),
			act("purge_message", "pp-9", high, pending),
			act("check_clicks", "pp-9", high, pending, "lookback", "7d"),
		}},
		{"phishing without evidence below escalate proposes nothing", quietPhish, nil},
		{"unknown category gets only indicator blocks", base("no_such_category", alert.Review, ip("198.51.100.1", "public", "dst", bad)),
			[]alert.Action{act("block_ip", "198.51.100.1", low, proposed)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := p.Propose(c.in)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Propose =\n%s\nwant\n%s", show(got), show(c.want))
			}
		})
	}
	t.Run("capped", func(t *testing.T) {
		got := p.Propose(base("scanning", alert.Review, many...))
		if len(got) != MaxActions {
			t.Fatalf("got %d actions, want %d", len(got), MaxActions)
		}
		if got[0].Target != "198.51.100.1" || got[MaxActions-1].Target != fmt.Sprintf("198.51.100.%d", MaxActions) {
			t.Errorf("cap did not keep the first observables in order: %s", show(got))
		}
	})
}

func TestProposeDeterministic(t *testing.T) {
	p := shipped(t)
	first, _ := json.Marshal(p.Propose(phishingCFO))
	for range 20 {
		again, _ := json.Marshal(p.Propose(phishingCFO))
		if string(again) != string(first) {
			t.Fatalf("proposals changed between runs:\n%s\n%s", first, again)
		}
	}
}

// TestInvalidPlaybooks loads each testdata/invalid file as the only
// playbook; its leading "# wantErr: " lines name fragments of the error.
func TestInvalidPlaybooks(t *testing.T) {
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
			_, err = Load(fstest.MapFS{"pb.yaml": {Data: src}})
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", wants)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	one := []byte("category: malware\nactions: [{ type: block_hash, target: hash, risk: high }]\n")
	for _, c := range []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{"no files", fstest.MapFS{"README.md": {Data: []byte("x")}}, "no *.yaml files"},
		{"two playbooks for a category", fstest.MapFS{"a.yaml": {Data: one}, "b.yaml": {Data: one}},
			"playbook b.yaml: a second playbook for category malware"},
		{"every file is reported", fstest.MapFS{"a.yaml": {Data: []byte("category: x\n")}, "b.yaml": {Data: []byte("bogus: 1\n")}},
			"playbook a.yaml: no actions\nplaybook b.yaml: decode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.fsys)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Load error = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}

func BenchmarkProposePhishing(b *testing.B) {
	p := shipped(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Propose(phishingCFO)
	}
}

func BenchmarkProposeBruteForce(b *testing.B) {
	p := shipped(b)
	b.ReportAllocs()
	for b.Loop() {
		p.Propose(sshBruteForce)
	}
}

// TestParamsNotShared: a caller editing an action's Params must not change
// the playbook and so the next alert's proposals.
func TestParamsNotShared(t *testing.T) {
	p := shipped(t)
	first := p.Propose(sshBruteForce)
	first[0].Params["duration"] = "forever"
	if got := p.Propose(sshBruteForce)[0].Params["duration"]; got != "30d" {
		t.Errorf("duration = %q after a caller edited an earlier action, want 30d", got)
	}
}
