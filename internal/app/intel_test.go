package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// statusRows parses the 'intel status' table into rows of fields, header
// first.
func statusRows(stdout string) [][]string {
	var rows [][]string
	for _, l := range lines(stdout) {
		rows = append(rows, strings.Fields(l))
	}
	return rows
}

func TestIntelStatus(t *testing.T) {
	r := runMain(t, "", "intel", "status", "--config", "testdata/config/intel.yaml")
	if r.code != ExitOK {
		t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
	}
	rows := statusRows(r.stdout)
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want header and two feeds:\n%s", len(rows), r.stdout)
	}
	if got := strings.Join(rows[0], " "); got != "FEED KIND ENTRIES AGE UPSTREAM PATH ERROR" {
		t.Errorf("header = %q", got)
	}
	// name, kind, entries, path: the tiny feeds hold 3 IPs and 2 relays.
	want := [][4]string{
		{"ipsum", "ipsum", "3", filepath.Join("testdata", "intel", "ipsum.txt")},
		{"tor", "tor", "2", filepath.Join("testdata", "intel", "tor-exit-nodes.lst")},
	}
	for i, w := range want {
		row := rows[i+1]
		if len(row) != 6 {
			t.Errorf("row %d has %d fields, want 6 (no error column): %v", i+1, len(row), row)
			continue
		}
		if got := [4]string{row[0], row[1], row[2], row[5]}; got != w {
			t.Errorf("row %d = %v, want %v", i+1, got, w)
		}
	}
}

func TestIntelStatusMissingFeed(t *testing.T) {
	r := runMain(t, "", "intel", "status", "--config", "testdata/config/intel_missing.yaml")
	if r.code != ExitRejected {
		t.Fatalf("exit code = %d, want %d\nstdout: %s", r.code, ExitRejected, r.stdout)
	}
	rows := statusRows(r.stdout)
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want header and two feeds:\n%s", len(rows), r.stdout)
	}
	if rows[1][0] != "ipsum" || rows[1][2] != "3" {
		t.Errorf("the good feed is not reported loaded: %v", rows[1])
	}
	tor := strings.Join(rows[2], " ")
	if !strings.HasPrefix(tor, "tor tor 0 ") || !strings.Contains(tor, "no-such-tor-list.lst: no such file or directory") {
		t.Errorf("missing feed row = %q, want 0 entries and the open error", tor)
	}
}

func TestIntelStatusNoFeeds(t *testing.T) {
	// The configuration names no feeds and its data_dir holds none.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "winnow.yaml")
	writeFile(t, cfg, "data_dir: "+filepath.Join(dir, "data")+"\n")
	r := runMain(t, "", "intel", "status", "--config", cfg)
	if r.code != ExitOK || !strings.Contains(r.stdout, "no intel feeds configured") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestIntelStatusBadConfig(t *testing.T) {
	r := runMain(t, "", "intel", "status", "--config", "testdata/config/invalid.yaml")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "Mars/Olympus") {
		t.Errorf("exit %d, stderr %q; want %d and the problem named", r.code, r.stderr, ExitUsage)
	}
}

// TestDownloadedFeedsHonourConfig covers a configuration that names no
// feeds, so triage uses what 'intel update' left in data_dir: the IPsum
// threshold of the configuration must still apply.
func TestDownloadedFeedsHonourConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data", "intel"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "data", "intel", "ipsum.txt"), mustRead(t, "testdata/intel/ipsum.txt"))
	tests := []struct {
		min  int
		want alert.Reputation
	}{
		{3, alert.Malicious},   // 203.0.113.7 is on 8 lists
		{10, alert.Suspicious}, // below the configured minimum
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.min), func(t *testing.T) {
			cfg := filepath.Join(dir, fmt.Sprintf("min%d.yaml", tt.min))
			writeFile(t, cfg, fmt.Sprintf("data_dir: %s\nintel: {ipsum_malicious_min: %d}\n", filepath.Join(dir, "data"), tt.min))
			st := runMain(t, "", "intel", "status", "--config", cfg)
			if st.code != ExitOK || !strings.Contains(st.stdout, "ipsum.txt") {
				t.Fatalf("intel status: exit %d, stdout %q, stderr %q", st.code, st.stdout, st.stderr)
			}
			r := runMain(t, "", "triage", "--config", cfg, goodFile)
			if r.code != ExitOK {
				t.Fatalf("triage: exit %d, stderr %q", r.code, r.stderr)
			}
			ds := decisions(t, r.stdout)
			var got alert.Reputation
			for _, o := range ds[0].Observables {
				for _, f := range o.Findings {
					if o.Value == "203.0.113.7" && f.Source == "ipsum" {
						got = f.Reputation
					}
				}
			}
			if got != tt.want {
				t.Errorf("ipsum reputation of 203.0.113.7 = %q, want %q", got, tt.want)
			}
		})
	}
}
