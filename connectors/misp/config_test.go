package misp

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	cfg, err := connector.DecodeConfig[Config](json.RawMessage(`{"base_url":"https://misp.example.org","api_key":{"env":"MISP_KEY"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Limit != DefaultLimit || cfg.EnforceWarninglist {
		t.Errorf("defaults %+v", cfg)
	}
	// Every problem is reported at once.
	_, err = connector.DecodeConfig[Config](json.RawMessage(`{"limit":-3}`))
	for _, want := range []string{"base_url: required", "api_key: required", "limit: -3"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestRegistered(t *testing.T) {
	f, ok := connector.LookupEnricher(Name)
	if !ok {
		t.Fatal("misp not registered")
	}
	t.Setenv("WINNOW_TEST_MISP_KEY", testKey)
	e, err := f(json.RawMessage(`{"base_url":"https://misp.example.org","api_key":{"env":"WINNOW_TEST_MISP_KEY"}}`), connector.Deps{})
	if err != nil || e.Name() != Name {
		t.Fatalf("factory: %v, %v", e, err)
	}
	_, err = f(json.RawMessage(`{"base_url":"https://misp.example.org","api_key":{"env":"WINNOW_TEST_MISP_UNSET"}}`), connector.Deps{})
	if err == nil || !strings.Contains(err.Error(), "WINNOW_TEST_MISP_UNSET") {
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
	f.Add([]byte(`{"response":{"Attribute":[{"to_ids":true,"timestamp":17,"Sighting":[{"type":"1"}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		attrs, err := Decode(b)
		if err != nil {
			return
		}
		fd, ok := Summarize(attrs)
		if ok != (len(attrs) > 0) {
			t.Fatalf("ok %v for %d attributes", ok, len(attrs))
		}
		if !ok {
			return
		}
		switch fd.Reputation {
		case "malicious", "benign", "context":
		default:
			t.Fatalf("reputation %q", fd.Reputation)
		}
		if fd.Confidence < 0 || fd.Confidence > 100 {
			t.Fatalf("confidence %d", fd.Confidence)
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
