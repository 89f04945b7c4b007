package config

import (
	"os"
	"path/filepath"
)

// DefaultTenantID is the ID of the tenant Default creates.
const DefaultTenantID = "default"

// Default returns the built-in configuration Winnow runs on when no file
// is given: one tenant "default", no intel feeds, every value defaulted.
// It is complete and valid, and resolved ready for lookups.
func Default() *Config {
	c := &Config{}
	c.ApplyDefaults()
	if err := c.Resolve(); err != nil {
		// The defaults are a constant of the program; TestDefault keeps
		// them valid.
		panic("config: built-in defaults invalid: " + err.Error())
	}
	return c
}

// ApplyDefaults fills every value the configuration left empty. It is the
// one place defaults live; docs/configuration.md lists them. A Config with
// no tenants gets the tenant "default"; an empty default_tenant becomes the
// first tenant's ID.
func (c *Config) ApplyDefaults() {
	if c.DataDir == "" {
		c.DataDir = defaultDataDir()
	}
	if c.Intel.IPsumMaliciousMin == 0 {
		c.Intel.IPsumMaliciousMin = 3
	}
	for i := range c.Intel.Feeds {
		if c.Intel.Feeds[i].Reliability == "" {
			c.Intel.Feeds[i].Reliability = "B"
		}
	}
	if len(c.Tenants) == 0 {
		c.Tenants = []Tenant{{ID: DefaultTenantID}}
	}
	if c.DefaultTenant == "" {
		c.DefaultTenant = c.Tenants[0].ID
	}
	for i := range c.Tenants {
		c.Tenants[i].applyDefaults()
	}
}

func (t *Tenant) applyDefaults() {
	if t.Name == "" {
		t.Name = t.ID
	}
	if t.TimeZone == "" {
		t.TimeZone = "UTC"
	}
	bh := &t.BusinessHours
	if bh.Days == nil {
		bh.Days = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	if bh.Start == "" {
		bh.Start = "08:00"
	}
	if bh.End == "" {
		bh.End = "18:00"
	}
	th := &t.Thresholds
	if th.Escalate == 0 && th.set&setEscalate == 0 {
		th.Escalate = 75
	}
	if th.Investigate == 0 && th.set&setInvestigate == 0 {
		th.Investigate = 50
	}
	if th.Review == 0 && th.set&setReview == 0 {
		th.Review = 25
	}
	if th.AutoCloseBelow == 0 && th.set&setAutoCloseBelow == 0 {
		th.AutoCloseBelow = 15
	}
	if t.Mode == "" {
		t.Mode = ModeShadow
	}
	for i := range t.Assets {
		if t.Assets[i].Criticality == "" {
			t.Assets[i].Criticality = CriticalityMedium
		}
	}
	for i := range t.Identities {
		if t.Identities[i].Role == "" {
			t.Identities[i].Role = RoleUser
		}
	}
}

// defaultDataDir follows the XDG base directory spec: $XDG_DATA_HOME/winnow,
// else ~/.local/share/winnow, else a directory under the system temp dir
// when there is no home at all (containers without HOME).
func defaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "winnow")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "share", "winnow")
	}
	return filepath.Join(os.TempDir(), "winnow")
}
