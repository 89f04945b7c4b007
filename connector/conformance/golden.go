package conformance

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// Golden compares findings, without their raw payload, with
// testdata/golden/<case>.json, where <case> is the running subtest's name
// below its top-level test with every rune other than [A-Za-z0-9-] made
// '_'. UPDATE_GOLDEN=1 rewrites the file instead.
func Golden(t testing.TB, fs []alert.Finding) {
	t.Helper()
	out := slices.Clone(fs)
	for i := range out {
		out[i].Raw = nil
	}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	name := filepath.Join("testdata", "golden", goldenName(t.Name())+".json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read golden file (UPDATE_GOLDEN=1 writes it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

// goldenName is a test name's case part as a file name.
func goldenName(test string) string {
	if _, sub, ok := strings.Cut(test, "/"); ok {
		test = sub
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, test)
}
