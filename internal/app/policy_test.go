package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyTest(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, `rules:
  - name: dc_p1
    when: '"domain_controller" in asset.tags'
    then: { priority: P1 }
tests:
  - name: dc is P1
    input: { asset: { tags: [domain_controller] } }
    want: { fired: [dc_p1], priority: P1 }
  - name: wrong expectation
    input: { asset: { tags: [workstation] } }
    want: { fired: [dc_p1] }
`)
	broken := filepath.Join(dir, "broken.yaml")
	writeFile(t, broken, "rules:\n  - name: x\n    when: 'asset.nope == 1'\n    then: { priority: P1 }\n")

	for _, c := range []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"built-in policy passes", []string{"policy", "test"}, ExitOK, []string{"ok    domain controller is P1", "0 failed"}},
		{"failing case", []string{"policy", "test", bad}, ExitRejected, []string{"ok    dc is P1", "FAIL  wrong expectation", "1 passed, 1 failed"}},
		{"compile error", []string{"policy", "test", broken}, ExitRejected, nil},
		{"missing file", []string{"policy", "test", filepath.Join(dir, "nope.yaml")}, ExitRejected, nil},
		{"unknown subcommand", []string{"policy", "frobnicate"}, ExitUsage, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runMain(t, "", c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, s := range c.contains {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
		})
	}
}

// TestPolicyDryRun stores decisions with 'triage --db', then replays them
// with a policy that makes every high-criticality asset P1.
func TestPolicyDryRun(t *testing.T) {
	root := moduleRoot(t)
	cfg := filepath.Join(root, "internal", "app", "testdata", "config", "assisted.yaml")
	alerts := filepath.Join(root, "internal", "app", "testdata", "alerts", "good.jsonl")
	db := filepath.Join(t.TempDir(), "w.db")
	if r := runMain(t, "", "triage", "--config", cfg, "--db", db, alerts); r.code != ExitOK {
		t.Fatalf("triage --db: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}
	same := filepath.Join(root, "content", "policies", "default.yaml")
	r := runMain(t, "", "policy", "dry-run", "--config", cfg, "--db", db, "--policy", same)
	if r.code != ExitOK || !strings.Contains(r.stdout, "0 of 3 stored decisions would change") {
		t.Fatalf("the shipped policy must change nothing: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	strict := filepath.Join(t.TempDir(), "strict.yaml")
	writeFile(t, strict, `rules:
  - name: high_asset_p1
    when: 'asset.criticality == "high"'
    then: { priority: P1, min_disposition: escalate }
`)
	r = runMain(t, "", "policy", "dry-run", "--config", cfg, "--db", db, "--policy", strict)
	if r.code != ExitOK || !strings.Contains(r.stdout, "high_asset_p1") || strings.Contains(r.stdout, " 0 of 3") {
		t.Fatalf("a stricter policy must change decisions on web-prod-01: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runMain(t, "", "policy", "dry-run", "--db", db); r.code != ExitUsage {
		t.Errorf("missing --policy: exit %d, want %d", r.code, ExitUsage)
	}
}
