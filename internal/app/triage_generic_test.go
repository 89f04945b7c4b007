package app

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTriageGenericFormat runs triage with formats.generic in the
// configuration: the mapping reaches the runner, detection and --format
// generic use it, and --format generic without mappings is a usage error.
func TestTriageGenericFormat(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "winnow.yaml")
	writeFile(t, conf, `data_dir: `+dir+`
formats:
  generic:
    - name: my_edr
      match: {field: vendor, equals: acme-edr}
      fields: {id: uid, title: name, severity: level, host: box, time: at}
      severity_map: {"5": critical}
`)
	rec := `{"vendor":"acme-edr","uid":"a-1","name":"Ransomware behaviour","level":5,"box":"fs-01","at":"2026-02-03T04:05:06Z"}` + "\n"
	tests := []struct {
		name     string
		args     []string
		code     int
		alertID  string
		inStderr string
	}{
		{"detected", []string{"triage", "--config", conf}, ExitOK, "a-1", ""},
		{"forced", []string{"triage", "--config", conf, "--format", "generic"}, ExitOK, "a-1", ""},
		{"no mappings", []string{"triage", "--format", "generic"}, ExitUsage, "", "needs formats.generic"},
		{"built-ins only", []string{"triage"}, ExitRejected, "", "unknown alert format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, rec, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.inStderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.inStderr)
			}
			ds := decisions(t, r.stdout)
			if tt.alertID == "" {
				if len(ds) != 0 {
					t.Errorf("decisions %v, want none", alertIDs(ds))
				}
				return
			}
			if len(ds) != 1 || ds[0].AlertID != tt.alertID || ds[0].Source != "generic" {
				t.Fatalf("decisions %+v", ds)
			}
		})
	}
}
