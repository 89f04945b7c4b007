package aitads

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/internal/normalize"
)

// golden compares got with testdata/name, rewriting the file instead when
// UPDATE_GOLDEN=1.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (refresh with UPDATE_GOLDEN=1): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff it after UPDATE_GOLDEN=1", name)
	}
}

// TestGoldenSample converts one real row of every distinct name and checks
// the whole output, and that the Wazuh normaliser reads every line back.
func TestGoldenSample(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "sample_alerts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var alerts, labels bytes.Buffer
	st, err := Convert(bytes.NewReader(in), "sample", &alerts, &labels)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 86 || len(st.Unmapped) != 0 {
		t.Errorf("stats = %+v, want 86 rows, none unmapped", st)
	}
	golden(t, "sample.alerts.jsonl", alerts.Bytes())
	golden(t, "sample.labels.csv", labels.Bytes())
	for i, line := range bytes.Split(bytes.TrimSuffix(alerts.Bytes(), []byte("\n")), []byte("\n")) {
		a, err := normalize.Normalize("auto", line)
		if err != nil || a.Source != "wazuh" || a.ID != "sample-"+strconv.Itoa(i+1) || a.Rule.ID == "" || a.Title == "" {
			t.Errorf("line %d: %+v, %v", i+1, a, err)
		}
	}
}

func TestConvertFiles(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "sample_alerts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	gzPath := filepath.Join(src, "sample_alerts.csv.gz")
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	if _, err := zw.Write(in); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gzPath, zbuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	plainPath := filepath.Join(src, "plain_alerts.csv")
	if err := os.WriteFile(plainPath, in, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := ConvertFiles([]string{gzPath, plainPath}, out); err != nil {
		t.Fatal(err)
	}

	wantAlerts, err := os.ReadFile(filepath.Join("testdata", "sample.alerts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	wantLabels, err := os.ReadFile(filepath.Join("testdata", "sample.labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, scenario := range []string{"sample", "plain"} {
		f, err := os.Open(filepath.Join(out, scenario+".alerts.jsonl.gz"))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		rename := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("sample"), []byte(scenario)) }
		if !bytes.Equal(got, rename(wantAlerts)) {
			t.Errorf("%s alerts differ from the golden sample", scenario)
		}
		labels, err := os.ReadFile(filepath.Join(out, scenario+".labels.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(labels, rename(wantLabels)) {
			t.Errorf("%s labels differ from the golden sample", scenario)
		}
	}

	// A failing input leaves no partial output behind.
	bad := filepath.Join(src, "bad_alerts.csv")
	if err := os.WriteFile(bad, []byte(csvHeader+"x,Wazuh: y,1.1.1.1,h,s,-,-\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ConvertFiles([]string{bad}, out); err == nil || !strings.Contains(err.Error(), "bad_alerts.csv") {
		t.Errorf("err = %v, want one naming the bad file", err)
	}
	if err := ConvertFiles([]string{filepath.Join(src, "missing_alerts.csv")}, out); err == nil {
		t.Error("missing input: no error")
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "plain.alerts.jsonl.gz plain.labels.csv sample.alerts.jsonl.gz sample.labels.csv" {
		t.Errorf("output directory holds %s", got)
	}
}

func TestScenarioName(t *testing.T) {
	tests := []struct{ path, want string }{
		{"../shared/data/alerts/ait-ads/fox_alerts.csv.gz", "fox"},
		{"russellmitchell_alerts.csv", "russellmitchell"},
		{"/x/wardbeck.csv.gz", "wardbeck"},
		{"shaw.csv", "shaw"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := ScenarioName(tt.path); got != tt.want {
				t.Errorf("ScenarioName(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
