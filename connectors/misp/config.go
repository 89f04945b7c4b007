package misp

import (
	"errors"
	"fmt"

	"github.com/winnow-soc/winnow/connector"
)

// Config is the misp enricher's configuration block. MISP is self-hosted,
// so there is no vendor default for BaseURL: the operator names the
// instance.
type Config struct {
	// BaseURL is the MISP instance, e.g. https://misp.example.org.
	BaseURL string `json:"base_url"`
	// APIKey names the MISP automation (auth) key of an API-enabled user.
	APIKey connector.SecretRef `json:"api_key"`
	// Limit caps the attributes MISP returns per lookup (default 50).
	Limit int `json:"limit"`
	// EnforceWarninglist asks MISP to drop attributes that hit one of its
	// warning lists (known-good ranges, top domains), as MISP's own
	// enforceWarninglist filter does.
	EnforceWarninglist bool `json:"enforce_warninglist"`
}

// DefaultLimit is the attribute cap when the configuration names none.
const DefaultLimit = 50

// Defaults fills what the operator left out.
func (c *Config) Defaults() {
	if c.Limit == 0 {
		c.Limit = DefaultLimit
	}
}

// Validate reports every problem at once; it does no I/O and does not read
// the credential.
func (c *Config) Validate() error {
	var errs []error
	if err := connector.ValidBaseURL(c.BaseURL); err != nil {
		errs = append(errs, fmt.Errorf("base_url: %w", err))
	}
	if c.APIKey.Env == "" && c.APIKey.File == "" {
		errs = append(errs, errors.New("api_key: required (env or file)"))
	}
	if c.APIKey.Env != "" && c.APIKey.File != "" {
		errs = append(errs, errors.New("api_key: set env or file, not both"))
	}
	if c.Limit < 1 || c.Limit > 1000 {
		errs = append(errs, fmt.Errorf("limit: %d is outside 1-1000", c.Limit))
	}
	return errors.Join(errs...)
}
