package app

import (
	"encoding/json"
	"strings"
	"testing"
)

const reportFile = "testdata/text/report.txt" // defanged analyst notes

// observable is one line of extract's output.
type observable struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// parseObservables parses extract output, requiring exactly the keys type
// and value on every line.
func parseObservables(t *testing.T, stdout string) []observable {
	t.Helper()
	var out []observable
	for i, line := range lines(stdout) {
		keys, err := topLevelKeys([]byte(line))
		if err != nil || strings.Join(keys, ",") != "type,value" {
			t.Fatalf("line %d: keys %v (%v), want [type value]: %s", i+1, keys, err, line)
		}
		var o observable
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func TestExtract(t *testing.T) {
	// In order of first appearance in report.txt, refanged, each once
	// although the IP and the domain appear twice.
	want := []observable{
		{"url", "http://evil.example.net/submit.php?id=1"},
		{"domain", "evil.example.net"},
		{"ipv4", "10.0.5.37"},
		{"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"ipv4", "198.51.100.23"},
		{"domain", "files.corp.example.com"},
		{"cve", "CVE-2024-3400"},
	}
	// acme.example has no public suffix: only as an internal domain is it
	// a domain, and j.doe@acme.example an address.
	withAcme := append(append(append([]observable(nil), want[:5]...),
		observable{"email", "j.doe@acme.example"}, observable{"domain", "acme.example"}), want[5:]...)
	text := mustRead(t, reportFile)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  []observable
	}{
		{"file", "", []string{reportFile}, want},
		{"stdin", text, nil, want},
		{"stdin with dash", text, []string{"-"}, want},
		{"internal domain flag", text, []string{"--internal-domain", "corp.example.com", "-"}, want},
		{"internal domain makes a domain", text, []string{"--internal-domain", "corp.example.com", "--internal-domain", "acme.example", reportFile}, withAcme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.stdin, append([]string{"extract"}, tt.args...)...)
			if r.code != ExitOK {
				t.Fatalf("exit code = %d, stderr: %s", r.code, r.stderr)
			}
			got := parseObservables(t, r.stdout)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d observables, want %d:\n%s", len(got), len(tt.want), r.stdout)
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("observable %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestExtractEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		want     []observable
		stderr   string
	}{
		{"empty input", "", nil, ExitOK, nil, ""},
		{"no trailing newline", "seen at 8.8.8[.]8", nil, ExitOK, []observable{{"ipv4", "8.8.8.8"}}, ""},
		{"duplicates across lines", "1.1.1.1\n1[.]1[.]1[.]1\n1.1.1.1 again\n", nil, ExitOK, []observable{{"ipv4", "1.1.1.1"}}, ""},
		{"two files", "", []string{reportFile, reportFile}, ExitUsage, nil, "Usage: winnow extract"},
		{"missing file", "", []string{"testdata/text/absent.txt"}, ExitUsage, nil, "absent.txt"},
		{"unknown flag", "", []string{"--frob"}, ExitUsage, nil, "frob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.stdin, append([]string{"extract"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d, stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			got := parseObservables(t, r.stdout)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("observable %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.stderr)
			}
		})
	}
}
