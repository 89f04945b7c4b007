package rdap

import (
	"errors"
	"fmt"
	"net/url"
)

// DefaultBootstrapURL is where IANA publishes the RDAP bootstrap files.
const DefaultBootstrapURL = "https://data.iana.org/rdap/"

// Config is the rdap connector's configuration block.
type Config struct {
	// BootstrapURL is the directory URL holding dns.json, ipv4.json and
	// ipv6.json. Ignored when BootstrapDir is set.
	BootstrapURL string `json:"bootstrap_url"`
	// BootstrapDir is a local directory holding the same three files, for
	// air-gapped installations.
	BootstrapDir string `json:"bootstrap_dir"`
	// BootstrapRefreshHours is how long a loaded bootstrap is kept before it
	// is loaded again. Default 24.
	BootstrapRefreshHours int `json:"bootstrap_refresh_hours"`
	// NewlyRegisteredDays: a domain registered fewer days ago than this is
	// suspicious. Default 30.
	NewlyRegisteredDays int `json:"newly_registered_days"`
}

// Defaults fills IANA's bootstrap location and the thresholds.
func (c *Config) Defaults() {
	if c.BootstrapURL == "" && c.BootstrapDir == "" {
		c.BootstrapURL = DefaultBootstrapURL
	}
	if c.BootstrapRefreshHours == 0 {
		c.BootstrapRefreshHours = 24
	}
	if c.NewlyRegisteredDays == 0 {
		c.NewlyRegisteredDays = 30
	}
}

// Validate reports every problem at once without I/O.
func (c *Config) Validate() error {
	var errs []error
	if c.BootstrapDir == "" {
		if u, err := url.Parse(c.BootstrapURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("bootstrap_url: %q is not an http(s) URL", c.BootstrapURL))
		}
	}
	if c.BootstrapRefreshHours < 0 {
		errs = append(errs, fmt.Errorf("bootstrap_refresh_hours: %d is negative", c.BootstrapRefreshHours))
	}
	if c.NewlyRegisteredDays < 0 {
		errs = append(errs, fmt.Errorf("newly_registered_days: %d is negative", c.NewlyRegisteredDays))
	}
	return errors.Join(errs...)
}
