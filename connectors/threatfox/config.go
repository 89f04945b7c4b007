package threatfox

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// DefaultBaseURL is ThreatFox's official API endpoint.
const DefaultBaseURL = "https://threatfox-api.abuse.ch/api/v1/"

// Config is the threatfox connector's configuration block.
type Config struct {
	// BaseURL is the API endpoint; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// APIKey names the abuse.ch Auth-Key (required by abuse.ch).
	APIKey connector.SecretRef `json:"api_key"`
	// MaliciousConfidence is the confidence_level (0-100) from which a
	// record is malicious; below it the record is suspicious. Default 50.
	MaliciousConfidence int `json:"malicious_confidence"`
	// MaxRecords bounds the findings per observable. Default 10.
	MaxRecords int `json:"max_records"`
}

// Defaults fills the official endpoint and thresholds.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.MaliciousConfidence == 0 {
		c.MaliciousConfidence = 50
	}
	if c.MaxRecords == 0 {
		c.MaxRecords = 10
	}
}

// Validate reports every problem at once without I/O.
func (c *Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("base_url: %q is not an http(s) URL", c.BaseURL))
	}
	if c.APIKey == (connector.SecretRef{}) {
		errs = append(errs, errors.New("api_key: required (abuse.ch Auth-Key)"))
	}
	if c.MaliciousConfidence < 0 || c.MaliciousConfidence > 100 {
		errs = append(errs, fmt.Errorf("malicious_confidence: %d is outside 0-100", c.MaliciousConfidence))
	}
	if c.MaxRecords < 0 {
		errs = append(errs, fmt.Errorf("max_records: %d is negative", c.MaxRecords))
	}
	return errors.Join(errs...)
}
