package score

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/content"
)

func TestDefaultWeights(t *testing.T) {
	w := mustWeights(t)
	if w.Version() == "" {
		t.Error("version is empty")
	}
	for _, n := range Categories() {
		if w.categoryByName[n] == nil {
			t.Errorf("category %s missing", n)
		}
	}
	if len(w.stages) != 14 {
		t.Errorf("%d attack stages, want the 14 ATT&CK Enterprise tactics", len(w.stages))
	}
	// Later kill-chain stages weigh more, as docs/scoring.md promises.
	order := []string{"initial-access", "execution", "lateral-movement", "exfiltration"}
	prev := -1.0
	for _, tactic := range order {
		for _, s := range w.stages {
			if s.tactic == tactic {
				if s.weight <= prev {
					t.Errorf("%s weighs %v, want more than the stage before (%v)", tactic, s.weight, prev)
				}
				prev = s.weight
			}
		}
	}
}

func TestParseWeightsInvalid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in testdata/invalid: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bytes.Cut(b, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# wantErr: ")
			if !ok {
				t.Fatalf("%s: first line must be '# wantErr: ...'", path)
			}
			_, err = ParseWeights(b)
			if err == nil {
				t.Fatalf("ParseWeights succeeded, want error containing %q", want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want it to contain %q", err, want)
			}
		})
	}
}

func TestParseWeightsReportsEveryProblem(t *testing.T) {
	_, err := ParseWeights([]byte("version: x\nbase: 500\noff_hours: -500\n"))
	if err == nil {
		t.Fatal("want error")
	}
	for _, s := range []string{"base: 500", "off_hours: -500", "categories: \"other\" missing"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error lacks %q:\n%v", s, err)
		}
	}
}

func TestParseWeightsVariant(t *testing.T) {
	b, err := content.FS.ReadFile("weights.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mod := strings.Replace(string(b), `version: "2026.11.1"`, `version: "test-variant"`, 1)
	mod = strings.Replace(mod, "off_hours: 6", "off_hours: 9", 1)
	w, err := ParseWeights([]byte(mod))
	if err != nil {
		t.Fatalf("ParseWeights: %v", err)
	}
	if w.Version() != "test-variant" || w.offHours != 9 {
		t.Errorf("version %q off_hours %v, want test-variant and 9", w.Version(), w.offHours)
	}
}

// FuzzParseWeights checks that strict decoding never panics and that any
// accepted weights are finite, bounded and give scores within 0-100 that
// keep the score invariant.
func FuzzParseWeights(f *testing.F) {
	b, err := content.FS.ReadFile("weights.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	for _, p := range files {
		if s, err := os.ReadFile(p); err == nil {
			f.Add(s)
		}
	}
	// A valid file with one line changed at a time gives the fuzzer
	// structure to mutate.
	sc := bufio.NewScanner(bytes.NewReader(b))
	i := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), ": ") && i%7 == 0 {
			f.Add(bytes.Replace(b, sc.Bytes(), []byte(strings.SplitN(sc.Text(), ": ", 2)[0]+": 1e308"), 1))
		}
		i++
	}
	scens := scenarios()
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ParseWeights(data)
		if err != nil {
			return
		}
		nums := []float64{w.base, w.malicious, w.suspicious, w.unknownRel, w.unknownConf, w.corroboration,
			w.obsDecay, w.benignConflict, w.reputationCap, w.benignPer, w.benignCap, w.userVIP, w.userExec,
			w.userAdmin, w.userService, w.userCap, w.offHours}
		nums = append(nums, w.severity[:]...)
		nums = append(nums, w.reliability[:]...)
		for _, v := range w.asset {
			nums = append(nums, v)
		}
		for _, s := range w.stages {
			nums = append(nums, s.weight)
		}
		for _, c := range w.categories {
			nums = append(nums, c.kind[:]...)
		}
		for _, v := range nums {
			if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxWeight {
				t.Fatalf("accepted weight %v", v)
			}
		}
		for _, s := range scens {
			r := w.Score(&s.in)
			if r.Score != Total(r.Factors) || r.Score < 0 || r.Score > 100 {
				t.Fatalf("%s: score %d breaks the invariant: %+v", s.name, r.Score, r.Factors)
			}
		}
	})
}
