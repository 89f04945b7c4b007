package correlate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/content"
)

// TestShippedWeights covers content/correlation.yaml: it parses strictly
// and its numbers are the ones docs/correlation.md explains.
func TestShippedWeights(t *testing.T) {
	w, err := DefaultWeights()
	if err != nil {
		t.Fatal(err)
	}
	if w.Version() == "" {
		t.Error("shipped weights have no version")
	}
	for _, c := range []struct {
		tactics int
		want    float64
	}{{0, 0}, {1, 0}, {2, 12}, {3, 24}, {4, 36}, {9, 36}} {
		if got := w.chainBonus(c.tactics); got != c.want {
			t.Errorf("chainBonus(%d) = %v, want %v", c.tactics, got, c.want)
		}
	}
	if w.burst != 10 {
		t.Errorf("alert_burst = %v, want 10", w.burst)
	}
}

// TestInvalidWeights walks testdata/invalid: each file's first line names
// the error it must produce.
func TestInvalidWeights(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid weights under testdata/invalid: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(first, "# wantErr: ")
			if !ok {
				t.Fatalf("first line %q is not # wantErr: ...", first)
			}
			_, err = ParseWeights(b)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("ParseWeights error = %v, want it to contain %q", err, want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"burst count", func(c *Config) { c.BurstCount = 1 }, "burst_count: 1 is below 2"},
		{"window", func(c *Config) { c.ChainWindow = 0 }, "chain_window: 0s is not positive"},
		{"thresholds", func(c *Config) { c.Investigate = 80 }, "thresholds: investigate 80 and escalate 75"},
		{"cidr", func(c *Config) { c.IgnoreIPs = []string{"10.0.0.0/33"} }, "ignore_ips"},
		{"single address", func(c *Config) { c.IgnoreIPs = []string{"10.0.0.53", "fd00::/8"} }, ""},
		{"incident cap", func(c *Config) { c.MaxIncidentAlerts = 3 }, "max_incident_alerts: 3 is below the burst count 5"},
		{"every problem at once", func(c *Config) { c.BurstCount = 0; c.Lookback = -1 }, "lookback"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.edit(&cfg)
			err := cfg.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				if _, err := New(cfg, nil); err != nil {
					t.Fatalf("New() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want %q", err, c.want)
			}
			if _, err := New(cfg, nil); err == nil {
				t.Error("New accepts an invalid config")
			}
		})
	}
}

// FuzzParseWeights checks the weights parser never panics and that what it
// accepts is within bounds. Seeds: the shipped file and testdata/invalid.
func FuzzParseWeights(f *testing.F) {
	shipped, err := content.FS.ReadFile("correlation.yaml")
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
		for _, v := range []float64{w.burst, w.perTactic, w.chainCap} {
			if !(v >= 0 && v <= maxWeight) {
				t.Fatalf("accepted weight %v out of bounds", v)
			}
		}
		if w.chainBonus(numTactics) > w.chainCap {
			t.Fatal("chain bonus exceeds its cap")
		}
	})
}
