package abuseipdb

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// DefaultBaseURL is AbuseIPDB's official API root.
const DefaultBaseURL = "https://api.abuseipdb.com"

// Config is the abuseipdb connector's configuration block.
type Config struct {
	// BaseURL is the API root; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// APIKey names the key (api_key: {env: ABUSEIPDB_API_KEY}).
	APIKey connector.SecretRef `json:"api_key"`
	// MaxAgeInDays is how far back reports count (AbuseIPDB: 1-365).
	MaxAgeInDays int `json:"max_age_in_days"`
	// MaliciousScore and SuspiciousScore are the abuse confidence score
	// bands: at or above MaliciousScore is malicious, at or above
	// SuspiciousScore suspicious, below it unknown.
	MaliciousScore  int `json:"malicious_score"`
	SuspiciousScore int `json:"suspicious_score"`
}

// Defaults fills the official endpoint, 90 days and the 75/25 bands.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.MaxAgeInDays == 0 {
		c.MaxAgeInDays = 90
	}
	if c.MaliciousScore == 0 {
		c.MaliciousScore = 75
	}
	if c.SuspiciousScore == 0 {
		c.SuspiciousScore = 25
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
	if c.MaxAgeInDays < 1 || c.MaxAgeInDays > 365 {
		errs = append(errs, fmt.Errorf("max_age_in_days: %d outside 1-365", c.MaxAgeInDays))
	}
	if c.MaliciousScore < 1 || c.MaliciousScore > 100 {
		errs = append(errs, fmt.Errorf("malicious_score: %d outside 1-100", c.MaliciousScore))
	}
	if c.SuspiciousScore < 1 || c.SuspiciousScore > c.MaliciousScore {
		errs = append(errs, fmt.Errorf("suspicious_score: %d must be 1-%d (malicious_score)", c.SuspiciousScore, c.MaliciousScore))
	}
	return errors.Join(errs...)
}
