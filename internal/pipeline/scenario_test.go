package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
)

// scenarioExpect is what must hold for one alert of a scenario. Zero fields
// are not checked; a nil Actions is not checked, an empty one means none.
type scenarioExpect struct {
	AlertID     string   `json:"alert_id"`
	Verdict     string   `json:"verdict"`
	Disposition string   `json:"disposition"`
	Priority    string   `json:"priority"`
	ScoreMin    *int     `json:"score_min"`
	ScoreMax    *int     `json:"score_max"`
	Factors     []string `json:"factors"`
	Techniques  []string `json:"techniques"`
	Actions     []string `json:"actions"`
	Severity    string   `json:"severity"`
	// EscalateTo, when set, is the tier a rule must require; "" means none.
	EscalateTo *string `json:"escalate_to"`
	// IncidentWith lists alerts that must share this alert's incident.
	IncidentWith []string `json:"incident_with"`
	// Reinvestigate lists alerts this decision must flag for re-investigation.
	Reinvestigate []string `json:"reinvestigate"`
	// Pending lists action types that must await approval.
	Pending []string `json:"pending_approval"`
}

// TestScenarios walks testdata/e2e: every folder's alerts go through the
// whole pipeline; expect.json states the behaviour and want.jsonl pins the
// exact output (UPDATE_GOLDEN=1 rewrites it).
func TestScenarios(t *testing.T) {
	root := filepath.Join(btRoot(), "testdata", "e2e")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	stores := map[string]*intel.Store{}
	ran := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			cfgPath := filepath.Join(dir, "config.yaml")
			if _, err := os.Stat(cfgPath); err != nil {
				cfgPath = filepath.Join(root, "config.yaml")
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				t.Fatalf("load %s: %v", cfgPath, err)
			}
			feeds := intelFeeds(cfg)
			key := fmt.Sprint(feeds)
			store, ok := stores[key]
			if !ok {
				store, err = intel.Load(context.Background(), feeds)
				if err != nil {
					t.Fatalf("load intel (the shared data must be beside the repository): %v", err)
				}
				stores[key] = store
			}
			eng, err := New(context.Background(), cfg, Options{Intel: store})
			if err != nil {
				t.Fatal(err)
			}
			inputs, _ := filepath.Glob(filepath.Join(dir, "alerts.*"))
			if len(inputs) == 0 {
				t.Fatalf("no alerts.* in %s", dir)
			}
			var out bytes.Buffer
			var rejected []Rejection
			sess, err := eng.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			// Every decision is also audited and replayed from its record.
			var records []audit.Record
			r := &Runner{Engine: eng, Session: sess, Workers: 2, OnReject: func(rj Rejection) { rejected = append(rejected, rj) },
				Sink: func(p *Prepared, d *alert.Decision) error {
					records = append(records, AuditRecord(p, d, "test", eng.ContentVersion()))
					return nil
				}}
			var ins []Input
			for _, p := range inputs {
				f, err := os.Open(p)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				ins = append(ins, Input{Name: p, R: f})
			}
			if _, err := r.Run(context.Background(), ins, &out); err != nil {
				t.Fatal(err)
			}
			if len(rejected) > 0 {
				t.Fatalf("rejected records: %v", rejected)
			}
			checkExpectations(t, filepath.Join(dir, "expect.json"), out.Bytes(), sess)
			checkGolden(t, filepath.Join(dir, "want.jsonl"), out.Bytes())
		})
		ran++
	}
	if ran == 0 {
		t.Fatal("no scenarios found")
	}
}

func checkExpectations(t *testing.T, path string, out []byte, sess *Session) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("every scenario needs an expect.json: %v", err)
	}
	var want []scenarioExpect
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got := map[string]alert.Decision{}
	var order []string
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var d alert.Decision
		if err := json.Unmarshal(line, &d); err != nil {
			t.Fatalf("decode decision: %v", err)
		}
		got[d.AlertID] = d
		order = append(order, d.AlertID)
	}
	if len(want) != len(order) {
		t.Errorf("%d decisions, expect.json names %d", len(order), len(want))
	}
	for i, w := range want {
		d, ok := got[w.AlertID]
		if !ok {
			t.Errorf("no decision for %s", w.AlertID)
			continue
		}
		if i < len(order) && order[i] != w.AlertID {
			t.Errorf("decision %d is %s, want %s (input order)", i, order[i], w.AlertID)
		}
		check := func(field, got, want string) {
			if want != "" && got != want {
				t.Errorf("%s: %s = %q, want %q\nreasoning: %s", w.AlertID, field, got, want, d.Reasoning)
			}
		}
		check("verdict", string(d.Verdict), w.Verdict)
		check("disposition", string(d.Disposition), w.Disposition)
		check("priority", string(d.Priority), w.Priority)
		check("severity", string(d.Severity), w.Severity)
		if w.EscalateTo != nil && d.EscalateTo != *w.EscalateTo {
			t.Errorf("%s: escalate_to = %q, want %q", w.AlertID, d.EscalateTo, *w.EscalateTo)
		}
		if len(w.IncidentWith) > 0 {
			// Membership is the session's: an earlier alert attached
			// retrospectively was decided before its incident existed.
			var members []string
			if d.IncidentID != nil {
				for _, inc := range sess.Incidents(d.Tenant) {
					if inc.ID == *d.IncidentID {
						members = inc.Alerts
					}
				}
			}
			for _, other := range w.IncidentWith {
				if !slices.Contains(members, other) {
					t.Errorf("%s: incident %v does not hold %s (members %v)", w.AlertID, incidentName(d.IncidentID), other, members)
				}
			}
		}
		for _, id := range w.Reinvestigate {
			if !slices.Contains(d.Reinvestigate, id) {
				t.Errorf("%s: reinvestigate %v lacks %s", w.AlertID, d.Reinvestigate, id)
			}
		}
		for _, typ := range w.Pending {
			if !slices.ContainsFunc(d.Actions, func(a alert.Action) bool { return a.Type == typ && a.Status == alert.ActionPendingApproval }) {
				t.Errorf("%s: no %s pending approval; actions %+v", w.AlertID, typ, d.Actions)
			}
		}
		if w.ScoreMin != nil && d.Score < *w.ScoreMin || w.ScoreMax != nil && d.Score > *w.ScoreMax {
			t.Errorf("%s: score %d outside [%v, %v]; factors %+v", w.AlertID, d.Score, deref(w.ScoreMin), deref(w.ScoreMax), d.Factors)
		}
		for _, f := range w.Factors {
			if !slices.ContainsFunc(d.Factors, func(x alert.Factor) bool { return x.Name == f && x.Contribution != 0 }) {
				t.Errorf("%s: factor %s did not fire; factors %+v", w.AlertID, f, d.Factors)
			}
		}
		for _, id := range w.Techniques {
			if !slices.ContainsFunc(d.Techniques, func(x alert.Technique) bool { return x.ID == id }) {
				t.Errorf("%s: technique %s missing; got %+v", w.AlertID, id, d.Techniques)
			}
		}
		if w.Actions != nil {
			var types []string
			for _, a := range d.Actions {
				types = append(types, a.Type)
			}
			slices.Sort(types)
			wa := slices.Clone(w.Actions)
			slices.Sort(wa)
			if !slices.Equal(types, wa) {
				t.Errorf("%s: actions %v, want %v", w.AlertID, types, wa)
			}
		}
	}
}

func incidentName(p *string) string {
	if p == nil {
		return "none"
	}
	return *p
}

func deref(p *int) any {
	if p == nil {
		return "-"
	}
	return *p
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 to accept after review)\ngot:\n%s", path, got)
	}
}

// checkReplay encodes an audit record as the chain stores it, decodes it
// and replays it: the decision must come back byte for byte.
func checkReplay(t *testing.T, eng *Engine, rec audit.Record) {
	t.Helper()
	mem := &audit.Memory{}
	chain, err := audit.NewChain(context.Background(), mem)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := chain.Append(context.Background(), rec)
	if err != nil {
		t.Fatalf("audit append: %v", err)
	}
	pl, err := audit.Decode(entry.Kind, entry.Payload)
	if err != nil {
		t.Fatalf("audit decode: %v", err)
	}
	stored := pl.(*audit.Decision)
	got, err := eng.Replay(stored)
	if err != nil {
		t.Fatalf("replay %s: %v", stored.Decision.AlertID, err)
	}
	want, _ := json.Marshal(stored.Decision)
	have, _ := json.Marshal(got)
	if !bytes.Equal(want, have) {
		t.Errorf("replay of %s differs:\nrecorded %s\nreplayed %s", stored.Decision.AlertID, want, have)
	}
}
