package misp

import (
	"errors"
	"fmt"
	"net/url"

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
	if err := validBaseURL(c.BaseURL); err != nil {
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

// validBaseURL accepts an absolute http(s) URL without credentials, query
// or fragment: the connector appends its API path to it and nothing else.
func validBaseURL(raw string) error {
	if raw == "" {
		return errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("scheme %q: want https or http", u.Scheme)
	case u.Host == "":
		return errors.New("no host")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("must not carry a query or fragment")
	}
	return nil
}
