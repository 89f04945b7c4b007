package score

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func mustWeights(tb testing.TB) *Weights {
	tb.Helper()
	w, err := DefaultWeights()
	if err != nil {
		tb.Fatalf("DefaultWeights: %v", err)
	}
	return w
}

func ip(value, class, role string, f ...alert.Finding) alert.Observable {
	return alert.Observable{Type: alert.IPv4, Value: value, Class: class, Role: role, Findings: f}
}

func torFinding() alert.Finding {
	return alert.Finding{Source: "tor", Reputation: alert.Suspicious, Reliability: "B", Confidence: 80,
		Categories: []string{"tor_exit"}, Detail: "Tor exit node"}
}

func ipsumFinding(n int) alert.Finding {
	return alert.Finding{Source: "ipsum", Reputation: alert.Malicious, Reliability: "C", Confidence: 60,
		Detail: "listed by " + string(rune('0'+n)) + " blacklists"}
}

func mispDNS() alert.Finding {
	return alert.Finding{Source: "misp", Reputation: alert.Benign, Reliability: "A", Confidence: 100,
		Detail: "List of known IPv4 public DNS resolvers"}
}

func maltrail(family string) alert.Finding {
	return alert.Finding{Source: "maltrail", Reputation: alert.Malicious, Reliability: "B", Family: family}
}

// scenarios are realistic alerts with the enrichment they would get; the
// golden file and the benchmark use them too.
type scenario struct {
	name      string
	in        Input
	min, max  int      // inclusive score range
	category  string   // expected category
	fire      []string // factors that must be present
	notFire   []string // factors that must be absent
	contribOf map[string]float64
}

func scenarios() []scenario {
	return []scenario{
		{
			name: "wazuh_clamav_update_internal_no_ioc",
			in: Input{
				Alert: &alert.Alert{Source: "wazuh", Title: "ClamAV database update", Severity: alert.SeverityLow,
					SourceSeverity: "3", Rule: alert.Rule{ID: "52507", Name: "ClamAV database update", Tags: []string{"clamd", "freshclam"}}},
				Observables: []alert.Observable{ip("10.1.2.3", "private", "host")},
				Asset:       AssetContext{Name: "fs01", Criticality: "low"},
			},
			min: 0, max: 24, category: "other",
			fire:    []string{FactorBase, FactorSourceSeverity},
			notFire: []string{FactorIOCReputation, FactorKnownBenign, FactorAssetCriticality},
		},
		{
			name: "suricata_et_exploit_from_tor_to_critical_asset",
			in: Input{
				Alert: &alert.Alert{Source: "suricata", Title: "ET EXPLOIT Apache Struts RCE attempt", Severity: alert.SeverityHigh,
					SourceSeverity: "1", Rule: alert.Rule{ID: "2024217", Name: "ET EXPLOIT Apache Struts RCE attempt", Category: "Attempted Administrator Privilege Gain"}},
				Observables: []alert.Observable{
					ip("185.220.101.1", "public", "src", torFinding(), ipsumFinding(5)),
					ip("10.0.0.20", "private", "dst"),
				},
				Techniques: []TechniqueInfo{{Technique: alert.Technique{ID: "T1190", Name: "Exploit Public-Facing Application",
					Tactics: []string{"initial-access"}}, Groups: 48, TacticOrder: 2}},
				Asset: AssetContext{Name: "web01", Criticality: "critical"},
			},
			min: 76, max: 100, category: "web_attack",
			fire: []string{FactorIOCReputation, FactorAssetCriticality, FactorAttackStage, FactorTechniquePrevalence},
		},
		{
			name: "vip_phishing_with_agenttesla_attachment",
			in: Input{
				Alert: &alert.Alert{Source: "o365", Title: "Phishing email delivered", Severity: alert.SeverityMedium,
					Entities: alert.Entities{Email: &alert.Email{From: "billing@invoice-update.example", To: []string{"ceo@corp.example"}, Subject: "Invoice"}}},
				Observables: []alert.Observable{
					{Type: alert.EmailAd, Value: "billing@invoice-update.example", Role: "sender"},
					{Type: alert.SHA256, Value: "8e4f0c1d0b9b6c4f6f1a0b8c0d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6", Role: "file",
						Findings: []alert.Finding{maltrail("AgentTesla")}},
				},
				Techniques: []TechniqueInfo{{Technique: alert.Technique{ID: "T1566.001", Name: "Spearphishing Attachment",
					Tactics: []string{"initial-access"}}, Groups: 12, TacticOrder: 2}},
				User: UserContext{Name: "ceo@corp.example", VIP: true, Role: "executive"},
			},
			min: 76, max: 100, category: "phishing",
			fire: []string{FactorIOCReputation, FactorUserCriticality, FactorAttackStage},
		},
		{
			name: "medium_dns_to_misp_listed_resolver",
			in: Input{
				Alert: &alert.Alert{Source: "suricata", Title: "ET INFO DNS query to external resolver", Severity: alert.SeverityMedium},
				Observables: []alert.Observable{
					ip("10.0.0.7", "private", "src"),
					ip("8.8.8.8", "public", "dst", mispDNS()),
				},
			},
			min: 0, max: 24, category: "other",
			fire:      []string{FactorKnownBenign},
			notFire:   []string{FactorIOCReputation},
			contribOf: map[string]float64{FactorKnownBenign: -20},
		},
		{
			name: "benign_resolver_does_not_cancel_malicious_domain",
			in: Input{
				Alert: &alert.Alert{Source: "suricata", Title: "DNS lookup", Severity: alert.SeverityMedium},
				Observables: []alert.Observable{
					ip("8.8.8.8", "public", "dst", mispDNS()),
					{Type: alert.Domain, Value: "c2.evil.example", Class: "external", Role: "text", Findings: []alert.Finding{maltrail("Emotet")}},
				},
			},
			min: 50, max: 100, category: "other",
			fire:      []string{FactorKnownBenign, FactorIOCReputation},
			contribOf: map[string]float64{FactorKnownBenign: 0},
		},
		{
			name: "malicious_private_ip_is_context_only",
			in: Input{
				Alert: &alert.Alert{Source: "wazuh", Title: "Connection", Severity: alert.SeverityLow},
				Observables: []alert.Observable{ip("192.168.1.5", "private", "src",
					alert.Finding{Source: "feed", Reputation: alert.Malicious, Reliability: "A", Confidence: 100})},
			},
			min: 0, max: 24, category: "other",
			notFire: []string{FactorIOCReputation},
		},
		{
			name: "brute_force_off_hours_on_admin",
			in: Input{
				Alert: &alert.Alert{Source: "wazuh", Title: "sshd: brute force trying to get access to the system", Severity: alert.SeverityMedium,
					Rule: alert.Rule{ID: "5712", Name: "sshd: brute force trying to get access to the system", Tags: []string{"authentication_failures"}}},
				Observables: []alert.Observable{ip("45.155.205.233", "public", "src",
					alert.Finding{Source: "ipsum", Reputation: alert.Malicious, Reliability: "C", Confidence: 70, Detail: "listed by 8 blacklists"})},
				User:      UserContext{Name: "root", Role: "admin"},
				OffHours:  true,
				LocalTime: "02:47 Europe/Paris Sat",
			},
			min: 50, max: 100, category: "brute_force",
			fire:      []string{FactorIOCReputation, FactorUserCriticality, FactorOffHours},
			contribOf: map[string]float64{FactorOffHours: 6, FactorUserCriticality: 8},
		},
		{
			name: "cloud_ip_both_listed_and_malicious_is_discounted",
			in: Input{
				Alert: &alert.Alert{Source: "suricata", Title: "Outbound connection", Severity: alert.SeverityLow},
				Observables: []alert.Observable{ip("52.95.110.1", "public", "dst",
					alert.Finding{Source: "misp", Reputation: alert.Benign, Reliability: "A", Detail: "Amazon AWS IP ranges"},
					alert.Finding{Source: "ipsum", Reputation: alert.Malicious, Reliability: "C", Confidence: 40, Detail: "listed by 2 blacklists"})},
			},
			min: 0, max: 49, category: "other",
			fire:    []string{FactorIOCReputation},
			notFire: []string{FactorKnownBenign},
		},
		{
			name: "nil_alert_is_base_only",
			in:   Input{},
			min:  10, max: 10, category: "other",
			fire:    []string{FactorBase},
			notFire: []string{FactorSourceSeverity, FactorIOCReputation},
		},
	}
}

func factor(r Result, name string) (alert.Factor, bool) {
	for _, f := range r.Factors {
		if f.Name == name {
			return f, true
		}
	}
	return alert.Factor{}, false
}

func TestScoreScenarios(t *testing.T) {
	w := mustWeights(t)
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			r := w.Score(&sc.in)
			if r.Score < sc.min || r.Score > sc.max {
				t.Errorf("score %d, want [%d, %d]; factors %+v", r.Score, sc.min, sc.max, r.Factors)
			}
			if r.Category != sc.category {
				t.Errorf("category %q, want %q", r.Category, sc.category)
			}
			var sum float64
			for _, f := range r.Factors {
				sum += f.Contribution
				if f.Contribution != math.Round(f.Contribution*10)/10 {
					t.Errorf("%s contribution %v not rounded to one decimal", f.Name, f.Contribution)
				}
				if f.Detail == "" {
					t.Errorf("%s has no detail", f.Name)
				}
			}
			if want := int(math.Max(0, math.Min(100, math.Round(sum)))); r.Score != want {
				t.Errorf("score %d != clamp(round(%v)) = %d", r.Score, sum, want)
			}
			for _, n := range sc.fire {
				if _, ok := factor(r, n); !ok {
					t.Errorf("factor %s did not fire; factors %+v", n, r.Factors)
				}
			}
			for _, n := range sc.notFire {
				if f, ok := factor(r, n); ok {
					t.Errorf("factor %s fired: %+v", n, f)
				}
			}
			for n, want := range sc.contribOf {
				if f, _ := factor(r, n); f.Contribution != want {
					t.Errorf("%s contribution %v, want %v", n, f.Contribution, want)
				}
			}
			if again := w.Score(&sc.in); !reflect.DeepEqual(r, again) {
				t.Errorf("not deterministic: %+v vs %+v", r, again)
			}
		})
	}
}

func TestScoreDetails(t *testing.T) {
	w := mustWeights(t)
	sc := scenarios()
	tests := []struct {
		name   string
		in     Input
		factor string
		want   []string
	}{
		{"tor evidence named", sc[1].in, FactorIOCReputation,
			[]string{"185.220.101.1", "Tor exit node (tor, reliability B)", "listed by 5 blacklists (ipsum, reliability C)", "[web_attack weights]"}},
		{"family named", sc[2].in, FactorIOCReputation, []string{"family AgentTesla (maltrail, reliability B)"}},
		{"benign list named", sc[3].in, FactorKnownBenign, []string{"8.8.8.8 is known benign", "public DNS resolvers (misp"}},
		{"benign suppression explained", sc[4].in, FactorKnownBenign, []string{"not applied because c2.evil.example has a malicious finding"}},
		{"off hours local time", sc[6].in, FactorOffHours, []string{"02:47 Europe/Paris Sat"}},
		{"user attributes", sc[2].in, FactorUserCriticality, []string{"ceo@corp.example is VIP, an executive"}},
		{"stage named", sc[1].in, FactorAttackStage, []string{"T1190 Exploit Public-Facing Application reaches initial-access (stage 3 of 14)"}},
		{"prevalence named", sc[1].in, FactorTechniquePrevalence, []string{"used by 48 known groups"}},
		{"asset named", sc[1].in, FactorAssetCriticality, []string{"web01 has critical criticality"}},
		{"severity named", sc[1].in, FactorSourceSeverity, []string{"high (1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := factor(w.Score(&tt.in), tt.factor)
			if !ok {
				t.Fatalf("factor %s missing", tt.factor)
			}
			for _, s := range tt.want {
				if !strings.Contains(f.Detail, s) {
					t.Errorf("detail %q lacks %q", f.Detail, s)
				}
			}
		})
	}
}

// iocScore scores one public IP with the given findings under the alert.
func iocScore(w *Weights, a *alert.Alert, f ...alert.Finding) float64 {
	r := w.Score(&Input{Alert: a, Observables: []alert.Observable{ip("203.0.113.9", "public", "src", f...)}})
	fa, _ := factor(r, FactorIOCReputation)
	return fa.Contribution
}

func TestReputationOrdering(t *testing.T) {
	w := mustWeights(t)
	plain := &alert.Alert{Title: "connection"}
	mal := func(src, rel string, conf int) alert.Finding {
		return alert.Finding{Source: src, Reputation: alert.Malicious, Reliability: rel, Confidence: conf}
	}
	sus := func(src, rel string, conf int) alert.Finding {
		return alert.Finding{Source: src, Reputation: alert.Suspicious, Reliability: rel, Confidence: conf}
	}
	tests := []struct {
		name          string
		higher, lower []alert.Finding
	}{
		{"malicious beats suspicious", []alert.Finding{mal("a", "B", 80)}, []alert.Finding{sus("a", "B", 80)}},
		{"reliability A beats D", []alert.Finding{mal("a", "A", 80)}, []alert.Finding{mal("a", "D", 80)}},
		{"confidence 90 beats 30", []alert.Finding{mal("a", "B", 90)}, []alert.Finding{mal("a", "B", 30)}},
		{"two sources beat one", []alert.Finding{mal("a", "C", 50), mal("b", "C", 50)}, []alert.Finding{mal("a", "C", 50)}},
		{"benign on the same observable discounts", []alert.Finding{sus("a", "C", 50)}, []alert.Finding{sus("a", "C", 50), {Source: "misp", Reputation: alert.Benign}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, l := iocScore(w, plain, tt.higher...), iocScore(w, plain, tt.lower...)
			if h <= l {
				t.Errorf("ioc_reputation %v, want more than %v", h, l)
			}
		})
	}
	t.Run("diminishing returns", func(t *testing.T) {
		var prev, prevGain float64
		var fs []alert.Finding
		for i := range 4 {
			fs = append(fs, mal(string(rune('a'+i)), "C", 50))
			v := iocScore(w, plain, fs...)
			gain := v - prev
			if gain <= 0 || (i > 0 && gain >= prevGain) {
				t.Errorf("source %d: gain %v after gain %v, want positive and shrinking", i+1, gain, prevGain)
			}
			prev, prevGain = v, gain
		}
	})
	t.Run("capped", func(t *testing.T) {
		var fs []alert.Finding
		for i := range 8 {
			fs = append(fs, mal(string(rune('a'+i)), "A", 100))
		}
		if v := iocScore(w, &alert.Alert{Techniques: []string{"T1110"}}, fs...); v != w.reputationCap {
			t.Errorf("ioc_reputation %v, want the cap %v", v, w.reputationCap)
		}
	})
}

func TestAdaptiveWeights(t *testing.T) {
	w := mustWeights(t)
	f := alert.Finding{Source: "ipsum", Reputation: alert.Malicious, Reliability: "C", Confidence: 50}
	brute := iocScore(w, &alert.Alert{Techniques: []string{"T1110.001"}}, f)
	scan := iocScore(w, &alert.Alert{Techniques: []string{"T1595"}}, f)
	if brute <= scan {
		t.Errorf("IP reputation for brute force %v, want more than for scanning %v", brute, scan)
	}
	hash := func(a *alert.Alert) float64 {
		r := w.Score(&Input{Alert: a, Observables: []alert.Observable{{Type: alert.MD5, Value: "44d88612fea8a8f36de82e1278abb02f", Findings: []alert.Finding{f}}}})
		fa, _ := factor(r, FactorIOCReputation)
		return fa.Contribution
	}
	if m, b := hash(&alert.Alert{Title: "Trojan detected"}), hash(&alert.Alert{Techniques: []string{"T1110"}}); m <= b {
		t.Errorf("hash reputation for malware %v, want more than for brute force %v", m, b)
	}
}

func TestCategory(t *testing.T) {
	w := mustWeights(t)
	malHash := []alert.Observable{{Type: alert.SHA1, Value: "x", Findings: []alert.Finding{maltrail("Qakbot")}}}
	tests := []struct {
		name string
		a    *alert.Alert
		ts   []TechniqueInfo
		obs  []alert.Observable
		want string
	}{
		{"T1110 brute force", &alert.Alert{Techniques: []string{"T1110"}}, nil, nil, "brute_force"},
		{"sub-technique", nil, []TechniqueInfo{{Technique: alert.Technique{ID: "T1566.002"}}}, nil, "phishing"},
		{"T1046 scanning", &alert.Alert{Techniques: []string{"T1046"}}, nil, nil, "scanning"},
		{"T1595 scanning", &alert.Alert{Techniques: []string{"T1595.002"}}, nil, nil, "scanning"},
		{"T1021 lateral", &alert.Alert{Techniques: []string{"T1021.002"}}, nil, nil, "lateral_movement"},
		{"T1570 lateral", &alert.Alert{Techniques: []string{"T1570"}}, nil, nil, "lateral_movement"},
		{"T1041 exfil", &alert.Alert{Techniques: []string{"T1041"}}, nil, nil, "exfiltration"},
		{"T1048 exfil", &alert.Alert{Techniques: []string{"T1048.003"}}, nil, nil, "exfiltration"},
		{"T1567 exfil", &alert.Alert{Techniques: []string{"T1567"}}, nil, nil, "exfiltration"},
		{"T1190 web", &alert.Alert{Techniques: []string{"T1190"}}, nil, nil, "web_attack"},
		{"T11100 is not T1110", &alert.Alert{Techniques: []string{"T11100"}}, nil, nil, "other"},
		{"technique beats keyword", &alert.Alert{Title: "Trojan", Techniques: []string{"T1110"}}, nil, nil, "brute_force"},
		{"keyword in rule name", &alert.Alert{Rule: alert.Rule{Name: "ET SCAN Nmap Scripting Engine"}}, nil, nil, "scanning"},
		{"keyword in tag, any case", &alert.Alert{Rule: alert.Rule{Tags: []string{"Password-Spray"}}}, nil, nil, "brute_force"},
		{"keyword in category", &alert.Alert{Rule: alert.Rule{Category: "Web Application Attack"}}, nil, nil, "web_attack"},
		{"keyword beats hash evidence", &alert.Alert{Title: "Phishing reported"}, nil, malHash, "phishing"},
		{"malicious hash is malware", &alert.Alert{Title: "File seen"}, nil, malHash, "malware"},
		{"no match is other", &alert.Alert{Title: "ClamAV database update"}, nil, nil, "other"},
		{"keywords do not span fields", &alert.Alert{Title: "force", Rule: alert.Rule{Name: "brute"}}, nil, nil, "other"},
		{"keyword only at a word start", &alert.Alert{Title: "Force reset of the source"}, nil, nil, "other"},
		{"keyword prefix of a word", &alert.Alert{Title: "Port scanning detected"}, nil, nil, "scanning"},
		{"cve keyword with dash", &alert.Alert{Rule: alert.Rule{Name: "Possible CVE-2021-44228 Log4Shell"}}, nil, nil, "web_attack"},
		{"nil alert", nil, nil, nil, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.Category(tt.a, tt.ts, tt.obs); got != tt.want {
				t.Errorf("Category = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRankedKeepsLargest(t *testing.T) {
	var r ranked
	for i, v := range []float64{1, 9, 3, 9, 5, 7, 2, 8, 6, 4, 10} {
		r.add(i, v)
	}
	want := []int{10, 1, 3, 7, 5, 8, 4, 9}
	if got := r.idx[:r.n]; !reflect.DeepEqual(got, want) || r.total != 11 {
		t.Errorf("ranked idx %v (total %d), want %v (total 11)", got, r.total, want)
	}
}

// TestScoreGolden pins the full output of every scenario, so any change of
// weights or details shows up as a reviewed diff (UPDATE_GOLDEN=1).
func TestScoreGolden(t *testing.T) {
	w := mustWeights(t)
	type out struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Result
	}
	var all []out
	for _, sc := range scenarios() {
		all = append(all, out{sc.name, w.Version(), w.Score(&sc.in)})
	}
	got, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", "scenarios.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s (run with UPDATE_GOLDEN=1): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("scores drifted from %s; rerun with UPDATE_GOLDEN=1 and review the diff\n%s", path, got)
	}
}

func BenchmarkScore(b *testing.B) {
	w := mustWeights(b)
	sc := scenarios()
	in := sc[1].in
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Score(&in)
	}
}

func BenchmarkScoreKeywordCategory(b *testing.B) {
	w := mustWeights(b)
	in := scenarios()[6].in
	b.ReportAllocs()
	for b.Loop() {
		_ = w.Score(&in)
	}
}
