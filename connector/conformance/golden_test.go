package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// recorder is a testing.TB that keeps failures instead of failing.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *recorder) Fatal(args ...any)                 { r.failed = append(r.failed, fmt.Sprint(args...)) }

func TestGoldenName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"TestEnrich/ip_hit", "ip_hit"},
		{"TestEnrich/domain-miss", "domain-miss"},
		{"TestEnrich/a/b.c", "a_b_c"},
		{"TestTop", "TestTop"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := goldenName(c.in); got != c.want {
				t.Errorf("goldenName(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestGolden(t *testing.T) {
	t.Chdir(t.TempDir())
	fs := []alert.Finding{{Source: "fake", Raw: []byte(`{"secret":"raw"}`)}}
	t.Run("update", func(t *testing.T) {
		t.Setenv("UPDATE_GOLDEN", "1")
		Golden(t, fs)
	})
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "update.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"fake"`) || strings.Contains(string(b), "raw") {
		t.Errorf("golden file = %s, want the finding without its raw payload", b)
	}
	t.Run("compare", func(t *testing.T) {
		t.Setenv("UPDATE_GOLDEN", "1")
		Golden(t, fs)
		t.Setenv("UPDATE_GOLDEN", "")
		r := &recorder{TB: t}
		Golden(r, fs)
		if len(r.failed) != 0 {
			t.Errorf("same findings reported as different: %v", r.failed)
		}
		other := []alert.Finding{{Source: "other"}}
		if Golden(r, other); len(r.failed) != 1 || !strings.Contains(r.failed[0], "differ") {
			t.Errorf("different findings not reported: %v", r.failed)
		}
	})
	t.Run("missing", func(t *testing.T) {
		r := &recorder{TB: t}
		// recorder's Fatalf does not stop Golden, so the compare fails too.
		if Golden(r, fs); len(r.failed) == 0 || !strings.Contains(r.failed[0], "UPDATE_GOLDEN=1") {
			t.Errorf("missing golden file not reported: %v", r.failed)
		}
	})
}
