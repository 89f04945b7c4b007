package shodan

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// DefaultBaseURL is Shodan's official REST API root.
const DefaultBaseURL = "https://api.shodan.io"

// Config is the shodan connector's configuration block.
type Config struct {
	// BaseURL is the API root; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// APIKey names the key (api_key: {env: SHODAN_API_KEY}).
	APIKey connector.SecretRef `json:"api_key"`
	// MaliciousTags make a host malicious, SuspiciousTags suspicious; any
	// other host is context.
	MaliciousTags  []string `json:"malicious_tags"`
	SuspiciousTags []string `json:"suspicious_tags"`
}

// Defaults fills the official endpoint and Shodan's threat tags.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.MaliciousTags == nil {
		c.MaliciousTags = []string{"malware", "c2", "compromised", "doublepulsar"}
	}
	if c.SuspiciousTags == nil {
		c.SuspiciousTags = []string{"scanner"}
	}
}

// Validate reports every problem at once without I/O.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base_url: %q is not an http(s) URL", c.BaseURL))
	}
	if c.APIKey == (connector.SecretRef{}) {
		errs = append(errs, errors.New("api_key: required (env or file)"))
	}
	for _, t := range c.MaliciousTags {
		for _, s := range c.SuspiciousTags {
			if t == s {
				errs = append(errs, fmt.Errorf("tag %q is both malicious and suspicious", t))
			}
		}
	}
	return errors.Join(errs...)
}
