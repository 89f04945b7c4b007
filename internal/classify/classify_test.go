package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/score"
)

func scored(s int, category string) score.Result {
	return score.Result{Score: s, Category: category, Factors: []alert.Factor{
		{Name: score.FactorBase, Contribution: 10, Detail: "baseline for every alert"},
	}}
}

func maliciousIP(value, rel string) alert.Observable {
	return alert.Observable{Type: alert.IPv4, Value: value, Class: "public", Role: "src",
		Findings: []alert.Finding{{Source: "feed", Reputation: alert.Malicious, Reliability: rel, Confidence: 90}}}
}

func TestDispositionBoundaries(t *testing.T) {
	tests := []struct {
		mode  Mode
		score int
		want  alert.Disposition
		verd  alert.Verdict
	}{
		{Assisted, 0, alert.AutoClose, alert.FalsePositive},
		{Assisted, 24, alert.AutoClose, alert.FalsePositive},
		{Assisted, 25, alert.Review, alert.NeedsReview},
		{Assisted, 49, alert.Review, alert.NeedsReview},
		{Assisted, 50, alert.Investigate, alert.TruePositive},
		{Assisted, 75, alert.Investigate, alert.TruePositive},
		{Assisted, 76, alert.Escalate, alert.TruePositive},
		{Assisted, 100, alert.Escalate, alert.TruePositive},
		{Shadow, 24, alert.AutoClose, alert.FalsePositive},
		{Shadow, 25, alert.Review, alert.NeedsReview},
		{Shadow, 76, alert.Escalate, alert.TruePositive},
		{Autonomous, 14, alert.AutoClose, alert.FalsePositive},
		{Autonomous, 24, alert.AutoClose, alert.FalsePositive},
		{Autonomous, 25, alert.Review, alert.NeedsReview},
		{SemiAutonomous, 14, alert.AutoClose, alert.FalsePositive},
		{SemiAutonomous, 15, alert.Review, alert.NeedsReview},
		{SemiAutonomous, 24, alert.Review, alert.NeedsReview},
		{SemiAutonomous, 25, alert.Review, alert.NeedsReview},
		{SemiAutonomous, 50, alert.Investigate, alert.TruePositive},
		{SemiAutonomous, 76, alert.Escalate, alert.TruePositive},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%d", tt.mode, tt.score), func(t *testing.T) {
			r := Classify(Policy{Thresholds: DefaultThresholds(), Mode: tt.mode}, &Input{Score: scored(tt.score, "other")})
			if r.Disposition != tt.want || r.Verdict != tt.verd {
				t.Errorf("score %d in %s: %s/%s, want %s/%s", tt.score, tt.mode, r.Disposition, r.Verdict, tt.want, tt.verd)
			}
		})
	}
}

func TestCustomThresholds(t *testing.T) {
	p := Policy{Thresholds: Thresholds{Escalate: 90, Investigate: 60, Review: 30, AutoCloseBelow: 10}, Mode: SemiAutonomous}
	tests := []struct {
		score int
		want  alert.Disposition
	}{{9, alert.AutoClose}, {10, alert.Review}, {59, alert.Review}, {60, alert.Investigate}, {90, alert.Investigate}, {91, alert.Escalate}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("score_%d", tt.score), func(t *testing.T) {
			if r := Classify(p, &Input{Score: scored(tt.score, "other")}); r.Disposition != tt.want {
				t.Errorf("score %d: %s, want %s", tt.score, r.Disposition, tt.want)
			}
		})
	}
}

func TestZeroPolicyIsDefaultShadow(t *testing.T) {
	in := &Input{Score: scored(80, "other"), Observables: []alert.Observable{maliciousIP("203.0.113.5", "C")}}
	r := Classify(Policy{}, in)
	if r.Disposition != alert.Escalate {
		t.Errorf("disposition %s, want escalate under default thresholds", r.Disposition)
	}
	if !strings.Contains(r.Reasoning, "mode shadow") {
		t.Errorf("reasoning %q does not name shadow mode", r.Reasoning)
	}
	if r2 := Classify(Policy{Mode: "bogus"}, in); !strings.Contains(r2.Reasoning, "mode shadow") {
		t.Errorf("unknown mode not treated as shadow: %s", r2.Reasoning)
	}
}

func TestMaliciousEvidenceGuard(t *testing.T) {
	tests := []struct {
		name  string
		mode  Mode
		score int
		obs   []alert.Observable
		want  alert.Disposition
		guard bool
	}{
		{"reliability A blocks auto-close", Autonomous, 5, []alert.Observable{maliciousIP("203.0.113.5", "A")}, alert.Review, true},
		{"reliability B blocks auto-close", Assisted, 24, []alert.Observable{maliciousIP("203.0.113.5", "B")}, alert.Review, true},
		{"semi-autonomous too", SemiAutonomous, 3, []alert.Observable{maliciousIP("203.0.113.5", "B")}, alert.Review, true},
		{"shadow too", Shadow, 3, []alert.Observable{maliciousIP("203.0.113.5", "A")}, alert.Review, true},
		{"on a private address too", Autonomous, 3, []alert.Observable{{Type: alert.IPv4, Value: "10.0.0.9", Class: "private",
			Findings: []alert.Finding{{Source: "edr", Reputation: alert.Malicious, Reliability: "A"}}}}, alert.Review, true},
		{"reliability C does not", Autonomous, 5, []alert.Observable{maliciousIP("203.0.113.5", "C")}, alert.AutoClose, false},
		{"unknown reliability does not", Autonomous, 5, []alert.Observable{maliciousIP("203.0.113.5", "")}, alert.AutoClose, false},
		{"suspicious A does not", Autonomous, 5, []alert.Observable{{Type: alert.IPv4, Value: "203.0.113.5",
			Findings: []alert.Finding{{Source: "feed", Reputation: alert.Suspicious, Reliability: "A"}}}}, alert.AutoClose, false},
		{"second observable counts", Autonomous, 5, []alert.Observable{
			{Type: alert.IPv4, Value: "8.8.8.8", Findings: []alert.Finding{{Source: "misp", Reputation: alert.Benign, Reliability: "A"}}},
			{Type: alert.Domain, Value: "evil.example", Findings: []alert.Finding{{Source: "maltrail", Reputation: alert.Malicious, Reliability: "B"}}},
		}, alert.Review, true},
		{"no effect above review", Autonomous, 60, []alert.Observable{maliciousIP("203.0.113.5", "A")}, alert.Investigate, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Classify(Policy{Thresholds: DefaultThresholds(), Mode: tt.mode}, &Input{Score: scored(tt.score, "other"), Observables: tt.obs})
			if r.Disposition != tt.want {
				t.Errorf("disposition %s, want %s", r.Disposition, tt.want)
			}
			if got := strings.Contains(r.Reasoning, "Auto-close blocked"); got != tt.guard {
				t.Errorf("guard reported %v, want %v: %s", got, tt.guard, r.Reasoning)
			}
			if tt.guard && r.Verdict != alert.NeedsReview {
				t.Errorf("verdict %s, want needs_review", r.Verdict)
			}
		})
	}
}

func TestPriority(t *testing.T) {
	tests := []struct {
		score int
		crit  string
		want  alert.Priority
	}{
		{80, "critical", alert.P1}, {80, "high", alert.P1}, {80, "medium", alert.P2}, {80, "low", alert.P2}, {80, "", alert.P2},
		{60, "critical", alert.P2}, {60, "high", alert.P2}, {60, "medium", alert.P3}, {60, "", alert.P3},
		{30, "critical", alert.P3}, {30, "high", alert.P3}, {30, "medium", alert.P4}, {30, "", alert.P4},
		{10, "critical", alert.P4}, {10, "", alert.P4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%d", tt.crit, tt.score), func(t *testing.T) {
			r := Classify(Policy{Mode: Assisted}, &Input{Score: scored(tt.score, "other"), Asset: score.AssetContext{Criticality: tt.crit}})
			if r.Priority != tt.want {
				t.Errorf("%s on %q asset: %s, want %s", r.Disposition, tt.crit, r.Priority, tt.want)
			}
		})
	}
}

func TestSeverityBlend(t *testing.T) {
	tests := []struct {
		score int
		src   alert.Severity
		want  alert.Severity
	}{
		{10, "", alert.SeverityInfo},
		{30, "", alert.SeverityLow},
		{60, "", alert.SeverityMedium},
		{80, "", alert.SeverityHigh},
		{95, "", alert.SeverityCritical},
		{10, alert.SeverityCritical, alert.SeverityLow},      // (2*1+5+1)/3 = 2
		{10, alert.SeverityHigh, alert.SeverityLow},          // (2+4+1)/3 = 2
		{10, alert.SeverityMedium, alert.SeverityLow},        // (2+3+1)/3 = 2
		{10, alert.SeverityLow, alert.SeverityInfo},          // (2+2+1)/3 = 1
		{60, alert.SeverityCritical, alert.SeverityHigh},     // (6+5+1)/3 = 4
		{60, alert.SeverityInfo, alert.SeverityLow},          // (6+1+1)/3 = 2
		{80, alert.SeverityCritical, alert.SeverityHigh},     // (8+5+1)/3 = 4
		{95, alert.SeverityCritical, alert.SeverityCritical}, // (10+5+1)/3 = 5
		{95, alert.SeverityLow, alert.SeverityHigh},          // (10+2+1)/3 = 4
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%d", tt.src, tt.score), func(t *testing.T) {
			r := Classify(Policy{Mode: Assisted}, &Input{Score: scored(tt.score, "other"), Alert: &alert.Alert{Severity: tt.src}})
			if r.Severity != tt.want {
				t.Errorf("score %d, source %q: %s, want %s", tt.score, tt.src, r.Severity, tt.want)
			}
		})
	}
}

func TestThresholdsValidate(t *testing.T) {
	tests := []struct {
		name string
		t    Thresholds
		want []string
	}{
		{"defaults", DefaultThresholds(), nil},
		{"out of range", Thresholds{Escalate: 120, Investigate: 50, Review: 25, AutoCloseBelow: -1},
			[]string{"escalate: 120 is outside 0-100", "auto_close_below: -1 is outside 0-100"}},
		{"unordered", Thresholds{Escalate: 40, Investigate: 50, Review: 50, AutoCloseBelow: 60},
			[]string{"investigate 50 is above escalate 40", "review 50 is not below investigate 50", "auto_close_below 60 is above review 50"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.t.Validate()
			if (err == nil) != (len(tt.want) == 0) {
				t.Fatalf("Validate() = %v, want errors %v", err, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// pipelineCases run the real shipped weights and then classify, so the
// score and classification contracts are checked together.
func pipelineCases(t testing.TB) []struct {
	name   string
	mode   Mode
	in     score.Input
	asset  score.AssetContext
	expect alert.Disposition
} {
	t.Helper()
	tor := []alert.Observable{{Type: alert.IPv4, Value: "185.220.101.1", Class: "public", Role: "src", Findings: []alert.Finding{
		{Source: "tor", Reputation: alert.Suspicious, Reliability: "B", Confidence: 80, Detail: "Tor exit node"},
		{Source: "ipsum", Reputation: alert.Malicious, Reliability: "C", Confidence: 60, Detail: "listed by 5 blacklists"}}}}
	web := score.AssetContext{Name: "web01", Criticality: "critical"}
	return []struct {
		name   string
		mode   Mode
		in     score.Input
		asset  score.AssetContext
		expect alert.Disposition
	}{
		{"clamav_update_autonomous", Autonomous, score.Input{Alert: &alert.Alert{Title: "ClamAV database update", Severity: alert.SeverityLow},
			Observables: []alert.Observable{{Type: alert.IPv4, Value: "10.1.2.3", Class: "private", Role: "host"}}}, score.AssetContext{}, alert.AutoClose},
		{"tor_exploit_assisted", Assisted, score.Input{Alert: &alert.Alert{Title: "ET EXPLOIT Apache Struts RCE attempt", Severity: alert.SeverityHigh},
			Observables: tor, Techniques: []score.TechniqueInfo{{Technique: alert.Technique{ID: "T1190", Name: "Exploit Public-Facing Application"}, Groups: 48, TacticOrder: 2}}, Asset: web},
			web, alert.Escalate},
		{"tor_exploit_shadow", Shadow, score.Input{Alert: &alert.Alert{Title: "ET EXPLOIT Apache Struts RCE attempt", Severity: alert.SeverityHigh},
			Observables: tor, Asset: web}, web, alert.Escalate},
		{"dns_to_google_semi", SemiAutonomous, score.Input{Alert: &alert.Alert{Title: "DNS query to external resolver", Severity: alert.SeverityMedium},
			Observables: []alert.Observable{{Type: alert.IPv4, Value: "8.8.8.8", Class: "public", Role: "dst",
				Findings: []alert.Finding{{Source: "misp", Reputation: alert.Benign, Reliability: "A", Detail: "List of known IPv4 public DNS resolvers"}}}}},
			score.AssetContext{}, alert.AutoClose},
	}
}

func TestWithShippedWeights(t *testing.T) {
	w, err := score.DefaultWeights()
	if err != nil {
		t.Fatal(err)
	}
	var golden bytes.Buffer
	for _, c := range pipelineCases(t) {
		t.Run(c.name, func(t *testing.T) {
			sr := w.Score(&c.in)
			r := Classify(Policy{Thresholds: DefaultThresholds(), Mode: c.mode},
				&Input{Score: sr, Alert: c.in.Alert, Observables: c.in.Observables, Asset: c.asset, User: c.in.User})
			if r.Disposition != c.expect {
				t.Errorf("score %d: %s, want %s\n%s", sr.Score, r.Disposition, c.expect, r.Reasoning)
			}
			again := Classify(Policy{Thresholds: DefaultThresholds(), Mode: c.mode},
				&Input{Score: sr, Alert: c.in.Alert, Observables: c.in.Observables, Asset: c.asset, User: c.in.User})
			if !reflect.DeepEqual(r, again) {
				t.Error("classification is not deterministic")
			}
			b, err := json.MarshalIndent(struct {
				Name  string `json:"name"`
				Score int    `json:"score"`
				Result
			}{c.name, sr.Score, r}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Write(b)
			golden.WriteByte('\n')
		})
	}
	checkGolden(t, filepath.Join("testdata", "golden", "pipeline.json"), golden.Bytes())
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
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
		t.Errorf("output drifted from %s; rerun with UPDATE_GOLDEN=1 and review the diff\n%s", path, got)
	}
}

func TestReasoning(t *testing.T) {
	factors := []alert.Factor{
		{Name: score.FactorBase, Contribution: 10, Detail: "baseline for every alert"},
		{Name: score.FactorSourceSeverity, Contribution: 12, Detail: "source rated the alert medium"},
		{Name: score.FactorKnownBenign, Contribution: -20, Detail: "8.8.8.8 is known benign"},
		{Name: score.FactorOffHours, Contribution: 6, Detail: "outside business hours"},
		{Name: score.FactorAssetCriticality, Contribution: 6, Detail: "db01 has medium criticality"},
	}
	r := Classify(Policy{Mode: Autonomous}, &Input{Score: score.Result{Score: 14, Category: "other", Factors: factors},
		Asset: score.AssetContext{Name: "db01", Criticality: "medium"}})
	for _, want := range []string{
		"Auto-close (false_positive): score 14 is below the review threshold 25 (mode autonomous, category other).",
		"Top factors: known_benign -20 (8.8.8.8 is known benign); source_severity +12 (source rated the alert medium); asset_criticality +6 (db01 has medium criticality).",
		"Missing evidence: no observables extracted; no identity context; no ATT&CK technique with a known tactic.",
		"Logged reason for auto-close:", "no language model took part",
	} {
		if !strings.Contains(r.Reasoning, want) {
			t.Errorf("reasoning lacks %q:\n%s", want, r.Reasoning)
		}
	}
	if strings.Contains(r.Reasoning, "baseline") || strings.Contains(r.Reasoning, "asset criticality unknown") {
		t.Errorf("reasoning names the baseline or wrongly misses the asset:\n%s", r.Reasoning)
	}
	semi := Classify(Policy{Mode: SemiAutonomous}, &Input{Score: score.Result{Score: 20, Factors: factors}})
	if want := "is below the review threshold 25 but not below the semi-autonomous auto-close threshold 15"; !strings.Contains(semi.Reasoning, want) {
		t.Errorf("semi-autonomous reasoning lacks %q:\n%s", want, semi.Reasoning)
	}
}

// FuzzClassify checks the invariants for any score, mode and evidence.
func FuzzClassify(f *testing.F) {
	f.Add(10, "autonomous", "A", "malicious")
	f.Add(80, "shadow", "C", "malicious")
	f.Add(14, "semi_autonomous", "B", "suspicious")
	f.Add(-5, "", "", "")
	f.Add(400, "bogus", "F", "benign")
	f.Fuzz(func(t *testing.T, s int, mode, rel, rep string) {
		obs := []alert.Observable{{Type: alert.IPv4, Value: "203.0.113.5", Class: "public", Role: "src",
			Findings: []alert.Finding{{Source: "f", Reputation: alert.Reputation(rep), Reliability: rel}}}}
		r := Classify(Policy{Mode: Mode(mode)}, &Input{Score: scored(s, "phishing"), Observables: obs,
			Alert: &alert.Alert{ID: "x", Entities: alert.Entities{Email: &alert.Email{From: "a@b.example"}}}})
		guard := rep == "malicious" && strings.Contains("ABab", rel) && rel != "" && len(rel) == 1
		if guard && r.Disposition == alert.AutoClose {
			t.Fatalf("auto-closed despite reliable malicious evidence: %+v", r)
		}

		if r.Reasoning == "" || r.Priority == "" || r.Severity == "" || r.Verdict == "" {
			t.Fatalf("incomplete result %+v", r)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	w, err := score.DefaultWeights()
	if err != nil {
		b.Fatal(err)
	}
	c := pipelineCases(b)[1]
	in := &Input{Score: w.Score(&c.in), Alert: c.in.Alert, Observables: c.in.Observables, Asset: c.asset}
	p := Policy{Thresholds: DefaultThresholds(), Mode: Assisted}
	b.ReportAllocs()
	for b.Loop() {
		_ = Classify(p, in)
	}
}

// TestSeverityTable pins the full blend table printed in docs/scoring.md.
func TestSeverityTable(t *testing.T) {
	// Rows: score rank 1-5; columns: source info, low, medium, high, critical.
	table := [5][5]alert.Severity{
		{"info", "info", "low", "low", "low"},
		{"low", "low", "low", "medium", "medium"},
		{"low", "medium", "medium", "medium", "high"},
		{"medium", "medium", "high", "high", "high"},
		{"high", "high", "high", "critical", "critical"},
	}
	// A score with each rank under the default thresholds.
	scores := [5]int{10, 30, 60, 80, 95}
	for i, s := range scores {
		for j := range 5 {
			src := alert.SeverityFromRank(j + 1)
			t.Run(fmt.Sprintf("rank%d_%s", i+1, src), func(t *testing.T) {
				if got := severity(DefaultThresholds(), s, &alert.Alert{Severity: src}); got != table[i][j] {
					t.Errorf("score rank %d, source %s: %s, want %s", i+1, src, got, table[i][j])
				}
			})
		}
	}
}

// TestJudgeMatchesClassify: Judge is Classify without the paragraph.
func TestJudgeMatchesClassify(t *testing.T) {
	for _, s := range []int{0, 14, 24, 25, 49, 50, 75, 76, 100} {
		in := &Input{Score: scored(s, "other"), Observables: []alert.Observable{maliciousIP("203.0.113.5", "A")}}
		for _, m := range []Mode{Shadow, Assisted, SemiAutonomous, Autonomous} {
			p := Policy{Thresholds: DefaultThresholds(), Mode: m}
			c, j := Classify(p, in), Judge(p, in)
			if j.Reasoning != "" {
				t.Errorf("Judge built a reasoning: %q", j.Reasoning)
			}
			c.Reasoning = ""
			if c != j {
				t.Errorf("score %d mode %s: Classify %+v, Judge %+v", s, m, c, j)
			}
		}
	}
}
