package virustotal

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// DefaultBaseURL is VirusTotal's official API root.
const DefaultBaseURL = "https://www.virustotal.com"

// Config is the virustotal connector's configuration block.
type Config struct {
	// BaseURL is the API root; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// APIKey names the key (api_key: {env: VT_API_KEY}).
	APIKey connector.SecretRef `json:"api_key"`
	// MaliciousThreshold is how many engines must say "malicious" for a
	// malicious verdict; fewer (or any "suspicious") is suspicious.
	MaliciousThreshold int `json:"malicious_threshold"`
}

// Defaults fills the official endpoint and a threshold of 3 engines.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.MaliciousThreshold == 0 {
		c.MaliciousThreshold = 3
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
	if c.MaliciousThreshold < 1 {
		errs = append(errs, fmt.Errorf("malicious_threshold: %d must be at least 1", c.MaliciousThreshold))
	}
	return errors.Join(errs...)
}
