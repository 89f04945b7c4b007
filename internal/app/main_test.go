package app

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

var updateGolden = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") != "", "rewrite golden files (or set UPDATE_GOLDEN=1)")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// result is what one run of Main produced.
type result struct {
	code           int
	stdout, stderr string
}

// runMain runs the command line with args and stdin in memory.
func runMain(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// moduleRoot walks up from the test's working directory to the directory
// holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's working directory")
		}
		dir = parent
	}
}

// sharedFile is the path of rel under the shared data beside the module
// root; the test fails, naming the file, when it is missing.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("required shared file %s is missing: %v", p, err)
	}
	return p
}

// golden compares got with testdata/golden/name, rewriting it when
// UPDATE_GOLDEN is set.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run with UPDATE_GOLDEN=1 to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (UPDATE_GOLDEN=1 rewrites it)\ngot:\n%s\nwant:\n%s", p, got, want)
	}
}

func TestMainUsageAndVersion(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring; "" means stdout must be empty
		wantStderr string // substring
	}{
		{"no args", nil, ExitUsage, "", "Usage: winnow COMMAND"},
		{"help", []string{"help"}, ExitOK, "", "Commands:"},
		{"dash h", []string{"-h"}, ExitOK, "", "triage"},
		{"unknown command", []string{"frobnicate"}, ExitUsage, "", `unknown command "frobnicate"`},
		{"version", []string{"version"}, ExitOK, "winnow " + Version + "\n", ""},
		{"triage help", []string{"triage", "-h"}, ExitOK, "", "-workers"},
		{"triage bad flag", []string{"triage", "--no-such-flag"}, ExitUsage, "", "no-such-flag"},
		{"intel without subcommand", []string{"intel"}, ExitUsage, "", "Usage: winnow intel"},
		{"intel unknown subcommand", []string{"intel", "purge"}, ExitUsage, "", `unknown subcommand "purge"`},
		{"config without subcommand", []string{"config"}, ExitUsage, "", "Usage: winnow config validate FILE"},
		{"config validate without file", []string{"config", "validate"}, ExitUsage, "", "Usage: winnow config validate FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr: %s)", r.code, tt.wantCode, r.stderr)
			}
			if tt.wantStdout == "" && r.stdout != "" {
				t.Errorf("stdout = %q, want empty", r.stdout)
			}
			if !strings.Contains(r.stdout, tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", r.stdout, tt.wantStdout)
			}
			if !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tt.wantStderr)
			}
		})
	}
}

func TestVersionIsOneLine(t *testing.T) {
	r := runMain(t, "", "version")
	if r.code != ExitOK {
		t.Fatalf("exit code = %d", r.code)
	}
	if strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(r.stdout, "winnow ") || len(r.stdout) <= len("winnow \n") {
		t.Errorf("version output %q is not one non-empty 'winnow VERSION' line", r.stdout)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
