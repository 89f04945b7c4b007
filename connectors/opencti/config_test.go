package opencti

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// TestInvalidConfigs walks testdata/invalid: each file's first line is
// "# wantErr: TEXT" and the rest is the configuration block.
func TestInvalidConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid configs under testdata/invalid: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, rest, _ := bytes.Cut(b, []byte("\n"))
			want, ok := strings.CutPrefix(string(first), "# wantErr: ")
			if !ok {
				t.Fatalf("%s: first line must be # wantErr: ...", file)
			}
			_, err = connector.DecodeConfig[Config](rest)
			if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(want)) {
				t.Errorf("error %v, want it to contain %q", err, want)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := connector.DecodeConfig[Config](json.RawMessage(`{"base_url":"https://opencti.example.org","api_key":{"env":"OPENCTI_KEY"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.First != DefaultFirst || cfg.MaliciousScore != DefaultMaliciousScore || cfg.SuspiciousScore != DefaultSuspiciousScore ||
		cfg.BenignScore == nil || *cfg.BenignScore != DefaultBenignScore {
		t.Errorf("defaults %+v", cfg)
	}
	// Every problem is reported at once.
	_, err = connector.DecodeConfig[Config](json.RawMessage(`{"first":-3}`))
	for _, want := range []string{"base_url: required", "api_key: required", "first: -3"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestRegistered(t *testing.T) {
	f, ok := connector.LookupEnricher(Name)
	if !ok {
		t.Fatal("opencti not registered")
	}
	t.Setenv("WINNOW_TEST_OPENCTI_KEY", testKey)
	e, err := f(json.RawMessage(`{"base_url":"https://opencti.example.org","api_key":{"env":"WINNOW_TEST_OPENCTI_KEY"}}`), connector.Deps{})
	if err != nil || e.Name() != Name {
		t.Fatalf("factory: %v, %v", e, err)
	}
	_, err = f(json.RawMessage(`{"base_url":"https://opencti.example.org","api_key":{"env":"WINNOW_TEST_OPENCTI_UNSET"}}`), connector.Deps{})
	if err == nil || !strings.Contains(err.Error(), "WINNOW_TEST_OPENCTI_UNSET") {
		t.Errorf("unset key: %v", err)
	}
}

// FuzzDecode holds Decode and Summarize to no panic and a well-formed
// finding on any input, seeded with the recorded payloads.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"data":{"stixCyberObservables":{"edges":[{"node":{"x_opencti_score":-5}}]},"indicators":{"edges":[]}}}`))
	bands := Bands{Malicious: DefaultMaliciousScore, Suspicious: DefaultSuspiciousScore, Benign: DefaultBenignScore}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			if r != nil {
				t.Fatal("result and error together")
			}
			return
		}
		fd, ok := Summarize(r, bands)
		if !ok {
			return
		}
		switch fd.Reputation {
		case alert.Malicious, alert.Suspicious, alert.Benign, alert.Unknown, alert.Context:
		default:
			t.Fatalf("reputation %q", fd.Reputation)
		}
		if fd.Confidence < 0 || fd.Confidence > 100 {
			t.Fatalf("confidence %d", fd.Confidence)
		}
		if fd.Source != Name {
			t.Fatalf("source %q", fd.Source)
		}
	})
}

// FuzzConfig holds strict decoding to no panic, and to configurations that
// validate whenever they decode, seeded with the invalid examples.
func FuzzConfig(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		_, rest, _ := bytes.Cut(b, []byte("\n"))
		f.Add(rest)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := connector.DecodeConfig[Config](b)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("decoded configuration does not validate: %v", err)
		}
		if err := connector.ValidBaseURL(cfg.BaseURL); err != nil {
			t.Fatalf("base_url %q accepted: %v", cfg.BaseURL, err)
		}
	})
}
