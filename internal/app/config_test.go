package app

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	root := moduleRoot(t)
	tests := []struct {
		name     string
		file     string
		wantCode int
		stdout   []string // substrings
		stderr   []string // substrings, each a separate problem
	}{
		{"example", filepath.Join(root, "examples", "winnow.yaml"), ExitOK, []string{"winnow.yaml: valid (2 tenants, 4 intel feeds)"}, nil},
		{"demo", filepath.Join(root, "examples", "demo.yaml"), ExitOK, []string{"demo.yaml: valid (1 tenants, 7 intel feeds)"}, nil},
		{"test config", assistedConf, ExitOK, []string{"assisted.yaml: valid (2 tenants, 0 intel feeds)"}, nil},
		{"every problem listed", "testdata/config/invalid.yaml", ExitRejected, nil, []string{
			"invalid.yaml: invalid:",
			`invalid.yaml:5: tenants[0].time_zone: "Mars/Olympus"`,
			`invalid.yaml:6: tenants[0].mode: "yolo"`,
			`invalid.yaml:2: default_tenant: unknown tenant "nobody"`,
		}},
		{"syntax error", "testdata/config/syntax.yaml", ExitRejected, nil, []string{"syntax.yaml:1:"}},
		{"missing file", "testdata/config/absent.yaml", ExitRejected, nil, []string{"absent.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, "", "config", "validate", tt.file)
			if r.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout = %q, want it to contain %q", r.stdout, s)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr = %q, want it to contain %q", r.stderr, s)
				}
			}
			if tt.wantCode == ExitOK && (r.stderr != "" || strings.Count(r.stdout, "\n") != 1) {
				t.Errorf("valid file: stdout %q, stderr %q; want one line and no errors", r.stdout, r.stderr)
			}
			if tt.wantCode != ExitOK && r.stdout != "" {
				t.Errorf("invalid file: stdout = %q, want empty", r.stdout)
			}
		})
	}
}

func TestConfigValidateUsage(t *testing.T) {
	tests := [][]string{
		{"config", "validate"},
		{"config", "validate", "a.yaml", "b.yaml"},
		{"config", "check", assistedConf},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if r := runMain(t, "", args...); r.code != ExitUsage {
				t.Errorf("exit code = %d, want %d", r.code, ExitUsage)
			}
		})
	}
}

// TestConfigDefaultsRoundTrip checks that 'config defaults' prints a
// configuration that 'config validate' accepts: the documented starting
// point for a configuration file must itself be valid.
func TestConfigDefaultsRoundTrip(t *testing.T) {
	r := runMain(t, "", "config", "defaults")
	if r.code != ExitOK || r.stderr != "" {
		t.Fatalf("config defaults: exit %d, stderr %q", r.code, r.stderr)
	}
	p := filepath.Join(t.TempDir(), "defaults.yaml")
	writeFile(t, p, r.stdout)
	v := runMain(t, "", "config", "validate", p)
	if v.code != ExitOK || !strings.Contains(v.stdout, "valid (1 tenants, 0 intel feeds)") {
		t.Errorf("validate the defaults: exit %d, stdout %q, stderr %q\n%s", v.code, v.stdout, v.stderr, r.stdout)
	}
}
