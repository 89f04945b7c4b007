package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// cptcFile is a real Splunk export of Suricata alerts (CPTC 2017).
const cptcFile = "data/alerts/cptc-2017/NationalTeam5.json.gz"

// decisionKeys is the output contract's key order (docs/output.md).
var decisionKeys = []string{
	"alert_id", "tenant", "source", "time", "title", "verdict", "disposition",
	"severity", "priority", "score", "factors", "observables", "techniques",
	"incident_id", "actions", "reasoning", "rules_fired",
}

// optionalKeys may follow decisionKeys, in this order, when set.
var optionalKeys = []string{"escalate_to", "notify", "relations", "reinvestigate"}

// topLevelKeys returns the keys of a JSON object in the order written.
func topLevelKeys(line []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// assistedDisposition is the disposition the default thresholds give a
// score in assisted mode (escalate > 75, investigate 50-75, review 25-49,
// auto-close < 25).
func assistedDisposition(score int) alert.Disposition {
	switch {
	case score > 75:
		return alert.Escalate
	case score >= 50:
		return alert.Investigate
	case score >= 25:
		return alert.Review
	}
	return alert.AutoClose
}

// reliablyMalicious reports whether some observable has a malicious finding
// from a source of reliability A or B: the guard against auto-closing.
func reliablyMalicious(obs []alert.Observable) bool {
	for _, o := range obs {
		for _, f := range o.Findings {
			if f.Reputation == alert.Malicious && (f.Reliability == "A" || f.Reliability == "B") {
				return true
			}
		}
	}
	return false
}

// checkDecisionLine asserts the output contract on one decision line.
func checkDecisionLine(line []byte) error {
	keys, err := topLevelKeys(line)
	if err != nil {
		return err
	}
	if len(keys) < len(decisionKeys) || !slices.Equal(keys[:len(decisionKeys)], decisionKeys) {
		return fmt.Errorf("keys %v, want %v", keys, decisionKeys)
	}
	rest := keys[len(decisionKeys):]
	for i, j := 0, 0; i < len(rest); i++ {
		for j < len(optionalKeys) && optionalKeys[j] != rest[i] {
			j++
		}
		if j == len(optionalKeys) {
			return fmt.Errorf("unexpected or misplaced key %q after %v", rest[i], decisionKeys)
		}
	}
	var raw struct {
		Time       string          `json:"time"`
		IncidentID json.RawMessage `json:"incident_id"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return err
	}
	if _, err := time.Parse(time.RFC3339Nano, raw.Time); err != nil {
		return fmt.Errorf("time %q is not RFC 3339: %w", raw.Time, err)
	}
	if id := string(raw.IncidentID); id != "null" && !strings.HasPrefix(id, `"inc-`) {
		return fmt.Errorf("incident_id = %s, want null or an inc- ID", raw.IncidentID)
	}
	var d alert.Decision
	if err := json.Unmarshal(line, &d); err != nil {
		return err
	}
	if d.AlertID == "" || d.Source == "" || d.Title == "" || d.Reasoning == "" {
		return fmt.Errorf("empty alert_id, source, title or reasoning: %+v", d)
	}
	if len(d.Factors) == 0 {
		return fmt.Errorf("no factors")
	}
	var sum float64
	for _, f := range d.Factors {
		if f.Name == "" || f.Detail == "" {
			return fmt.Errorf("factor without name or detail: %+v", f)
		}
		sum += f.Contribution
	}
	if want := int(math.Max(0, math.Min(100, math.Round(sum)))); d.Score != want {
		return fmt.Errorf("score %d != clamp(round(%v)) = %d", d.Score, sum, want)
	}
	want := assistedDisposition(d.Score)
	if want == alert.AutoClose && reliablyMalicious(d.Observables) {
		want = alert.Review
	}
	// Business rules may only raise a disposition (min_disposition), and
	// only when one fired.
	if d.Disposition != want && (len(d.RulesFired) == 0 || dispositionRank(d.Disposition) < dispositionRank(want)) {
		return fmt.Errorf("score %d: disposition %q, want %q (rules fired: %v)", d.Score, d.Disposition, want, d.RulesFired)
	}
	wantVerdict := map[alert.Disposition]alert.Verdict{
		alert.Escalate:    alert.TruePositive,
		alert.Investigate: alert.TruePositive,
		alert.Review:      alert.NeedsReview,
		alert.AutoClose:   alert.FalsePositive,
	}[d.Disposition]
	if d.Verdict != wantVerdict {
		return fmt.Errorf("disposition %q with verdict %q, want %q", d.Disposition, d.Verdict, wantVerdict)
	}
	if d.Severity.Rank() == 0 {
		return fmt.Errorf("severity %q is not on the scale", d.Severity)
	}
	switch d.Priority {
	case alert.P1, alert.P2, alert.P3, alert.P4:
	default:
		return fmt.Errorf("priority %q", d.Priority)
	}
	if d.Disposition == alert.AutoClose && (len(d.Actions) != 0 || d.Priority != alert.P4) {
		return fmt.Errorf("auto_close with actions %v or priority %q", d.Actions, d.Priority)
	}
	for _, o := range d.Observables {
		switch o.Type {
		case alert.IPv4, alert.IPv6, alert.Domain, alert.URL, alert.EmailAd, alert.MD5, alert.SHA1,
			alert.SHA256, alert.CVE, alert.UserID, alert.HostID, alert.ProcID, alert.FileID:
		default:
			return fmt.Errorf("observable type %q", o.Type)
		}
		if o.Value == "" {
			return fmt.Errorf("empty observable value of type %q", o.Type)
		}
	}
	for _, tq := range d.Techniques {
		if len(tq.ID) < 5 || tq.ID[0] != 'T' || tq.Name == "" || len(tq.Tactics) == 0 {
			return fmt.Errorf("technique %+v", tq)
		}
	}
	for _, a := range d.Actions {
		if a.Type == "" || (a.Risk != alert.RiskLow && a.Risk != alert.RiskHigh) {
			return fmt.Errorf("action %+v", a)
		}
		switch a.Status {
		case alert.ActionProposed, alert.ActionPendingApproval, alert.ActionExecuted, alert.ActionRecorded:
		default:
			return fmt.Errorf("action status %q", a.Status)
		}
	}
	return nil
}

func TestTriageOutputContractCPTC(t *testing.T) {
	in := sharedFile(t, cptcFile)
	r := runMain(t, "", "triage", "--config", assistedConf, in)
	if r.code != ExitOK {
		t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
	}
	ls := lines(r.stdout)
	if len(ls) < 1000 {
		t.Fatalf("only %d decisions from %s", len(ls), in)
	}
	seen := map[alert.Disposition]int{}
	bad := 0
	for i, l := range ls {
		if err := checkDecisionLine([]byte(l)); err != nil {
			bad++
			if bad <= 10 {
				t.Errorf("decision %d: %v", i+1, err)
			}
			continue
		}
		var d alert.Decision
		_ = json.Unmarshal([]byte(l), &d)
		if d.Tenant != "acme" {
			t.Fatalf("decision %d: tenant %q, want acme", i+1, d.Tenant)
		}
		seen[d.Disposition]++
	}
	if bad > 0 {
		t.Fatalf("%d of %d decisions break the contract", bad, len(ls))
	}
	// A real dataset exercises more than one band, or the checks above
	// prove little.
	if len(seen) < 2 {
		t.Errorf("all decisions in one band: %v", seen)
	}
	t.Logf("%d decisions: %v", len(ls), seen)
}

func TestCheckDecisionLineCatchesBreaches(t *testing.T) {
	r := runMain(t, "", "triage", "--config", assistedConf, goodFile)
	first := []byte(lines(r.stdout)[0])
	if err := checkDecisionLine(first); err != nil {
		t.Fatalf("real decision fails the contract: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(first, &m); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(map[string]any)
	}{
		{"score off by one", func(m map[string]any) { m["score"] = m["score"].(float64) + 1 }},
		{"wrong verdict", func(m map[string]any) { m["verdict"] = "benign_positive" }},
		{"bad time", func(m map[string]any) { m["time"] = "yesterday" }},
		{"extra key", func(m map[string]any) { m["zzz"] = 1 }},
		{"bad priority", func(m map[string]any) { m["priority"] = "P0" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := map[string]any{}
			for k, v := range m {
				c[k] = v
			}
			tt.mutate(c)
			// Re-encode in contract order (maps marshal sorted).
			var b bytes.Buffer
			b.WriteByte('{')
			keys := append(slices.Clone(decisionKeys), "zzz")
			n := 0
			for _, k := range keys {
				v, ok := c[k]
				if !ok {
					continue
				}
				if n > 0 {
					b.WriteByte(',')
				}
				n++
				kb, _ := json.Marshal(k)
				vb, _ := json.Marshal(v)
				b.Write(kb)
				b.WriteByte(':')
				b.Write(vb)
			}
			b.WriteByte('}')
			if err := checkDecisionLine(b.Bytes()); err == nil {
				t.Errorf("mutated decision passes the contract check:\n%s", b.Bytes())
			}
		})
	}
}

func TestTriageDeterministic(t *testing.T) {
	in := sharedFile(t, cptcFile)
	runs := []struct {
		name string
		args []string
	}{
		{"default workers", []string{"triage", in}},
		{"default workers again", []string{"triage", in}},
		{"one worker", []string{"triage", "--workers", "1", in}},
		{"four workers", []string{"triage", "--workers", "4", in}},
	}
	var first result
	for i, run := range runs {
		r := runMain(t, "", run.args...)
		if r.code != ExitOK {
			t.Fatalf("%s: exit code = %d, stderr: %s", run.name, r.code, r.stderr)
		}
		if i == 0 {
			first = r
			continue
		}
		if r.stdout != first.stdout {
			t.Errorf("%s: stdout differs from %s's", run.name, runs[0].name)
		}
	}
}

func dispositionRank(d alert.Disposition) int {
	return map[alert.Disposition]int{alert.AutoClose: 1, alert.Review: 2, alert.Investigate: 3, alert.Escalate: 4}[d]
}
