package history

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/content"
)

func TestDefaultWeights(t *testing.T) {
	w, err := DefaultWeights()
	if err != nil {
		t.Fatalf("shipped content/history.yaml: %v", err)
	}
	if w.Version() == "" {
		t.Error("shipped weights have no version")
	}
	// The shipped file must set every weight: a zero here means a key was
	// renamed in the code but not in the content.
	checks := map[string]float64{
		"novelty.host":        w.novelty[kindHost],
		"novelty.user":        w.novelty[kindUser],
		"novelty.ip":          w.novelty[kindIP],
		"novelty.rule":        w.novelty[kindRule],
		"novelty.cap":         w.noveltyCap,
		"unusual_hour":        w.unusualHour,
		"new_peer":            w.newPeer,
		"deviation.cap":       w.deviationCap,
		"benign.weight":       w.benignBase,
		"benign.cap":          w.benignCap,
		"malicious.pair":      w.maliciousPair,
		"malicious.entity":    w.maliciousEnt,
		"malicious.same_rule": w.maliciousRule,
	}
	for name, v := range checks {
		if v == 0 {
			t.Errorf("%s is zero in the shipped weights", name)
		}
	}
	if w.benignBase >= 0 || w.benignCap > w.benignBase {
		t.Errorf("similar_closed_benign must be negative and capped below its weight: weight %v cap %v", w.benignBase, w.benignCap)
	}
}

// TestInvalidWeights walks testdata/invalid: each file's first line is
// "# wantErr: <substring of the expected error>".
func TestInvalidWeights(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files in testdata/invalid")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bufio.NewReader(bytes.NewReader(b)).ReadLine()
			want, ok := strings.CutPrefix(string(first), "# wantErr: ")
			if !ok {
				t.Fatalf("%s: first line must be '# wantErr: ...'", f)
			}
			_, err = ParseWeights(b)
			if err == nil {
				t.Fatalf("ParseWeights accepted %s", f)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		})
	}
}

func FuzzParseWeights(f *testing.F) {
	shipped, err := content.FS.ReadFile("history.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(shipped)
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWeights(b)
		if err != nil {
			return
		}
		if w.Version() == "" || w.benignCap > w.benignBase || w.minActiveDays < 1 {
			t.Fatalf("accepted invalid weights: %+v", w)
		}
	})
}
