package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefault(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if c.DataDir != filepath.Join("/xdg", "winnow") {
		t.Errorf("DataDir = %q, want /xdg/winnow", c.DataDir)
	}
	tn, ok := c.Tenant(DefaultTenantID)
	if !ok || c.DefaultTenant != DefaultTenantID || len(c.Tenants) != 1 {
		t.Fatalf("tenants = %+v, default %q", c.Tenants, c.DefaultTenant)
	}
	want := Thresholds{Escalate: 75, Investigate: 50, Review: 25, AutoCloseBelow: 15}
	if got := tn.Thresholds; got.Escalate != want.Escalate || got.Investigate != want.Investigate ||
		got.Review != want.Review || got.AutoCloseBelow != want.AutoCloseBelow {
		t.Errorf("Thresholds = %+v, want %+v", got, want)
	}
	if tn.Mode != ModeShadow || tn.TimeZone != "UTC" || tn.Name != DefaultTenantID {
		t.Errorf("tenant = %+v", tn)
	}
	if c.Intel.IPsumMaliciousMin != 3 {
		t.Errorf("IPsumMaliciousMin = %d, want 3", c.Intel.IPsumMaliciousMin)
	}
	if _, ok := c.Tenant("nope"); ok {
		t.Error("Tenant(nope) found")
	}
}

func TestDefaultDataDir(t *testing.T) {
	tests := []struct {
		name, xdg, home, want string
	}{
		{"xdg wins", "/data", "/home/u", "/data/winnow"},
		{"relative xdg is ignored per the spec", "rel", "/home/u", "/home/u/.local/share/winnow"},
		{"home", "", "/home/u", "/home/u/.local/share/winnow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", tc.xdg)
			t.Setenv("HOME", tc.home)
			if got := defaultDataDir(); got != filepath.FromSlash(tc.want) {
				t.Errorf("defaultDataDir() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestThresholdsExplicitZeroIsKept(t *testing.T) {
	src := "tenants:\n  - id: a\n    thresholds: {investigate: 40, review: 0, auto_close_below: 0}\n  - id: b\n    thresholds: {}\n"
	c, err := parse("w.yaml", []byte(src), memFiles(nil))
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Tenants[0].Thresholds, c.Tenants[1].Thresholds
	if a.Escalate != 75 || a.Investigate != 40 || a.Review != 0 || a.AutoCloseBelow != 0 {
		t.Errorf("a = %+v, want 75/40/0/0", a)
	}
	if b.Escalate != 75 || b.Investigate != 50 || b.Review != 25 || b.AutoCloseBelow != 15 {
		t.Errorf("b = %+v, want the defaults", b)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   []string // every path that must be reported
	}{
		{"default is valid", func(*Config) {}, nil},
		{"empty data dir and no tenants", func(c *Config) {
			c.DataDir, c.Tenants = "", nil
		}, []string{"data_dir: required", "tenants: at least one tenant required", `default_tenant: unknown tenant "default"`}},
		{"bad domains", func(c *Config) {
			c.IOC.InternalDomains = []string{"https://corp.example", "*.corp", "-a.b", "ok.example", strings.Repeat("a", 64) + ".x"}
		}, []string{"ioc.internal_domains[0]", "ioc.internal_domains[1]", "ioc.internal_domains[2]", "ioc.internal_domains[4]"}},
		{"thresholds out of order", func(c *Config) {
			c.Tenants[0].Thresholds = Thresholds{Escalate: 50, Investigate: 50, Review: 60, AutoCloseBelow: 101}
		}, []string{
			"tenants[0].thresholds.escalate: must be > investigate (50 <= 50)",
			"tenants[0].thresholds.investigate: must be > review (50 <= 60)",
			"tenants[0].thresholds.auto_close_below: must be within 0-100, got 101",
			"tenants[0].thresholds.auto_close_below: must be <= review",
		}},
		{"ipv4-mapped prefix too short", func(c *Config) {
			c.Tenants[0].Assets = []Asset{{Name: "a", IPs: []string{"::ffff:0:0/90", "10.0.0.1/33", "fe80::1%eth0"}, Criticality: "low"}}
		}, []string{"assets[0].ips[0]: \"::ffff:0:0/90\": IPv4-mapped prefix shorter than /96", "assets[0].ips[1]", "assets[0].ips[2]"}},
		{"overlapping but distinct prefixes are fine", func(c *Config) {
			c.Tenants[0].Assets = []Asset{
				{Name: "a", IPs: []string{"10.0.0.0/8"}, Criticality: "low"},
				{Name: "b", IPs: []string{"10.1.0.0/16", "10.1.0.1"}, Criticality: "low"},
			}
		}, nil},
		{"same prefix written two ways", func(c *Config) {
			c.Tenants[0].Assets = []Asset{
				{Name: "a", IPs: []string{"10.0.0.0/8"}, Criticality: "low"},
				{Name: "b", IPs: []string{"10.9.9.9/8"}, Criticality: "low"},
			}
		}, []string{"tenants[0].assets[1].ips[0]: 10.9.9.9/8 already belongs to tenants[0].assets[0]"}},
		{"identities", func(c *Config) {
			c.Tenants[0].Identities = []Identity{{User: "Alice", Role: "user"}, {User: "alice", Role: "god"}, {Role: "user"}}
		}, []string{`identities[1].user: duplicate identity "alice"`, `identities[1].role: "god"`, "identities[2].user: required"}},
		{"feeds", func(c *Config) {
			c.Intel.Feeds = []Feed{{Name: "x", Path: "p", Reliability: "AB"}, {Name: "y", Kind: "stix", Path: "p", Reliability: "F", URL: "https:///nohost"}}
		}, []string{"intel.feeds[0].kind: required", `intel.feeds[0].reliability: "AB"`, "intel.feeds[1].url"}},
		{"mode and zone", func(c *Config) {
			c.Tenants[0].Mode, c.Tenants[0].TimeZone = "Shadow", ""
		}, []string{`tenants[0].mode: "Shadow"`, `tenants[0].time_zone: "": not an IANA time zone`}},
		{"clock formats", func(c *Config) {
			c.Tenants[0].BusinessHours = BusinessHours{Days: []string{}, Start: "24:00", End: "+1:00"}
		}, []string{`business_hours.start: "24:00": must be before 24:00`, `business_hours.end: "+1:00"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(c)
			err := c.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q; got:\n%v", w, err)
				}
			}
			if n := len(unjoin(err)); n != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", n, len(tc.want), err)
			}
			for _, e := range unjoin(err) {
				var fe *FieldError
				if !errors.As(e, &fe) || fe.Path == "" {
					t.Errorf("%v is not a *FieldError with a path", e)
				}
			}
		})
	}
}
