package greynoise

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// Editions of the GreyNoise API.
const (
	Community  = "community"
	Enterprise = "enterprise"
)

// DefaultBaseURL is GreyNoise's official API endpoint.
const DefaultBaseURL = "https://api.greynoise.io"

// Config is the greynoise connector's configuration block.
type Config struct {
	// BaseURL is the API root; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// Edition selects the community or enterprise endpoints.
	Edition string `json:"edition"`
	// APIKey names the key; optional for the community edition.
	APIKey connector.SecretRef `json:"api_key"`
}

// Defaults fills the official endpoint and the community edition.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Edition == "" {
		c.Edition = Community
	}
}

// Validate reports every problem at once without I/O.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base_url: %q is not an http(s) URL", c.BaseURL))
	}
	switch c.Edition {
	case Community:
	case Enterprise:
		if c.APIKey == (connector.SecretRef{}) {
			errs = append(errs, errors.New("api_key: required for the enterprise edition"))
		}
	default:
		errs = append(errs, fmt.Errorf("edition: %q is neither %q nor %q", c.Edition, Community, Enterprise))
	}
	return errors.Join(errs...)
}
