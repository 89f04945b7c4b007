package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

const (
	goodFile     = "testdata/alerts/good.jsonl"  // three suricata alerts
	wazuhFile    = "testdata/alerts/wazuh.jsonl" // one wazuh alert
	mixedFile    = "testdata/alerts/mixed.jsonl" // good.jsonl with two bad records between
	arrayFile    = "testdata/alerts/array.json"  // good.jsonl line 2 and wazuh.jsonl as a JSON array
	assistedConf = "testdata/config/assisted.yaml"
)

// decisions parses triage output: one JSON decision per line, nothing else.
func decisions(t *testing.T, stdout string) []alert.Decision {
	t.Helper()
	var out []alert.Decision
	for i, line := range lines(stdout) {
		var d alert.Decision
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatalf("stdout line %d is not a decision: %v\n%s", i+1, err, line)
		}
		out = append(out, d)
	}
	return out
}

// lines splits output into its newline-terminated lines.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
}

func alertIDs(ds []alert.Decision) []string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.AlertID
	}
	return ids
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTriageExitCodes(t *testing.T) {
	missingConf := filepath.Join(t.TempDir(), "absent.yaml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantLines  int
		wantStderr string // substring; "" means stderr must be empty
	}{
		{"all good", []string{"triage", goodFile}, ExitOK, 3, ""},
		{"all good with config", []string{"triage", "--config", assistedConf, goodFile, wazuhFile}, ExitOK, 4, ""},
		{"explicit format", []string{"triage", "--format", "wazuh", wazuhFile}, ExitOK, 1, ""},
		{"wrong explicit format rejects", []string{"triage", "--format", "suricata", wazuhFile}, ExitRejected, 0, wazuhFile + ":1: "},
		{"unknown format", []string{"triage", "--format", "no-such-format", goodFile}, ExitUsage, 0, `unknown format "no-such-format"`},
		{"unknown tenant", []string{"triage", "--tenant", "initech", goodFile}, ExitUsage, 0, `unknown tenant "initech"`},
		{"unknown tenant in config", []string{"triage", "--config", assistedConf, "--tenant", "default", goodFile}, ExitUsage, 0, `unknown tenant "default"`},
		{"missing input", []string{"triage", "testdata/alerts/absent.jsonl"}, ExitUsage, 0, "absent.jsonl"},
		{"missing input after a good one", []string{"triage", goodFile, "testdata/alerts/absent.jsonl"}, ExitUsage, 0, "absent.jsonl"},
		{"invalid config", []string{"triage", "--config", "testdata/config/invalid.yaml", goodFile}, ExitUsage, 0, "Mars/Olympus"},
		{"config syntax error", []string{"triage", "--config", "testdata/config/syntax.yaml", goodFile}, ExitUsage, 0, "syntax.yaml:1"},
		{"missing config", []string{"triage", "--config", missingConf, goodFile}, ExitUsage, 0, "absent.yaml"},
		{"malformed record", []string{"triage", mixedFile}, ExitRejected, 3, "2 of 5 records rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nstderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if got := len(decisions(t, r.stdout)); got != tt.wantLines {
				t.Errorf("%d decisions, want %d", got, tt.wantLines)
			}
			if tt.wantStderr == "" && r.stderr != "" {
				t.Errorf("stderr = %q, want empty", r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.wantStderr)
			}
		})
	}
}

func TestTriageMalformedRecordAmongGood(t *testing.T) {
	good := runMain(t, "", "triage", goodFile)
	if good.code != ExitOK {
		t.Fatalf("good input: exit %d: %s", good.code, good.stderr)
	}
	r := runMain(t, "", "triage", "--workers", "3", mixedFile)
	if r.code != ExitRejected {
		t.Fatalf("exit code = %d, want %d", r.code, ExitRejected)
	}
	// The good records of mixed.jsonl are those of good.jsonl, in order,
	// so their decisions must be byte for byte the same.
	if r.stdout != good.stdout {
		t.Errorf("decisions of the good records differ from good.jsonl's:\n%s\nwant:\n%s", r.stdout, good.stdout)
	}
	wantStderr := []string{
		"winnow triage: rejected " + mixedFile + ":2: unexpected end of input",
		"winnow triage: rejected " + mixedFile + ":4: unknown alert format",
		"winnow triage: 2 of 5 records rejected",
	}
	got := lines(r.stderr)
	if len(got) != len(wantStderr) {
		t.Fatalf("stderr has %d lines, want %d:\n%s", len(got), len(wantStderr), r.stderr)
	}
	for i, w := range wantStderr {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("stderr line %d = %q, want prefix %q", i+1, got[i], w)
		}
	}
}

func TestTriageInputForms(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "good.jsonl.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(mustRead(t, goodFile))); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	good := runMain(t, "", "triage", goodFile)
	wazuh := runMain(t, "", "triage", wazuhFile)
	goodDs := decisions(t, good.stdout)
	if len(goodDs) != 3 || len(decisions(t, wazuh.stdout)) != 1 {
		t.Fatalf("fixtures: %d good and %d wazuh decisions, want 3 and 1", len(goodDs), len(decisions(t, wazuh.stdout)))
	}
	// array.json holds good.jsonl's second record, then the wazuh one.
	arrayWant := lines(good.stdout)[1] + wazuh.stdout

	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"stdin with dash", mustRead(t, goodFile), []string{"-"}, good.stdout},
		{"stdin without args", mustRead(t, goodFile), nil, good.stdout},
		{"gzip file", "", []string{gz}, good.stdout},
		{"gzip on stdin", buf.String(), []string{"-"}, good.stdout},
		{"json array", "", []string{arrayFile}, arrayWant},
		{"files keep order", "", []string{wazuhFile, goodFile}, wazuh.stdout + good.stdout},
		{"files and stdin keep order", mustRead(t, wazuhFile), []string{goodFile, "-", arrayFile}, good.stdout + wazuh.stdout + arrayWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.stdin, append([]string{"triage", "--workers", "2"}, tt.args...)...)
			if r.code != ExitOK {
				t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
			}
			// Decisions depend on the alerts before them (history,
			// correlation), so runs over different sequences are compared
			// by the alerts decided and their order.
			got, want := alertIDs(decisions(t, r.stdout)), alertIDs(decisions(t, tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("alerts decided %v, want %v", got, want)
			}
		})
	}
}

func TestTriageTenantFlag(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		tenant string
	}{
		{"default config default tenant", []string{"triage", goodFile}, "default"},
		{"configured default tenant", []string{"triage", "--config", assistedConf, goodFile}, "acme"},
		{"tenant flag", []string{"triage", "--config", assistedConf, "--tenant", "globex", goodFile}, "globex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", tt.args...)
			if r.code != ExitOK {
				t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
			}
			ds := decisions(t, r.stdout)
			if len(ds) != 3 {
				t.Fatalf("%d decisions, want 3", len(ds))
			}
			for _, d := range ds {
				if d.Tenant != tt.tenant {
					t.Errorf("alert %s: tenant %q, want %q", d.AlertID, d.Tenant, tt.tenant)
				}
			}
		})
	}
}

// TestTriageTenantChangesDecisions checks that the tenant's configuration is
// applied: acme knows 10.0.1.20 as a high-criticality asset, globex does not.
func TestTriageTenantChangesDecisions(t *testing.T) {
	acme := decisions(t, runMain(t, "", "triage", "--config", assistedConf, goodFile).stdout)
	globex := decisions(t, runMain(t, "", "triage", "--config", assistedConf, "--tenant", "globex", goodFile).stdout)
	if len(acme) != 3 || len(globex) != 3 {
		t.Fatalf("got %d and %d decisions, want 3 each", len(acme), len(globex))
	}
	hasAsset := func(d alert.Decision) bool {
		for _, f := range d.Factors {
			if strings.Contains(f.Detail, "web-prod-01") {
				return true
			}
		}
		return false
	}
	if !hasAsset(acme[0]) {
		t.Errorf("acme decision for 10.0.1.20 names no asset factor: %+v", acme[0].Factors)
	}
	if hasAsset(globex[0]) {
		t.Errorf("globex decision names acme's asset: %+v", globex[0].Factors)
	}
}

func TestTriageWithIntel(t *testing.T) {
	r := runMain(t, "", "triage", "--config", "testdata/config/intel.yaml", goodFile)
	if r.code != ExitOK {
		t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
	}
	ds := decisions(t, r.stdout)
	if len(ds) != 3 {
		t.Fatalf("%d decisions, want 3", len(ds))
	}
	// 203.0.113.7 is on 8 IPsum lists: at the threshold of 3 it is malicious.
	var found bool
	for _, o := range ds[0].Observables {
		if o.Value != "203.0.113.7" {
			continue
		}
		for _, f := range o.Findings {
			if f.Source == "ipsum" && f.Reputation == alert.Malicious && f.Reliability == "C" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no malicious ipsum finding for 203.0.113.7: %+v", ds[0].Observables)
	}
	// A missing feed makes triage refuse to run on partial intel.
	r = runMain(t, "", "triage", "--config", "testdata/config/intel_missing.yaml", goodFile)
	if r.code != ExitRejected || r.stdout != "" || !strings.Contains(r.stderr, "no-such-tor-list.lst") {
		t.Errorf("missing feed: exit %d, stdout %q, stderr %q; want exit 1, no output and the file named", r.code, r.stdout, r.stderr)
	}
}

func TestTriageGolden(t *testing.T) {
	r := runMain(t, "", "triage", "--config", assistedConf, "--workers", "2", goodFile, wazuhFile)
	if r.code != ExitOK {
		t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
	}
	golden(t, "triage.jsonl", r.stdout)
}
