package urlhaus

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/winnow-soc/winnow/connector"
)

// DefaultBaseURL is URLhaus's official API root.
const DefaultBaseURL = "https://urlhaus-api.abuse.ch"

// Config is the urlhaus connector's configuration block.
type Config struct {
	// BaseURL is the API root; the connector calls nothing else.
	BaseURL string `json:"base_url"`
	// APIKey names the abuse.ch Auth-Key (required by abuse.ch).
	APIKey connector.SecretRef `json:"api_key"`
	// OnlineConfidence and OfflineConfidence (0-100) rate a listing with an
	// online URL and one whose URLs are all offline. Defaults 90 and 60.
	OnlineConfidence  int `json:"online_confidence"`
	OfflineConfidence int `json:"offline_confidence"`
}

// Defaults fills the official endpoint and confidences.
func (c *Config) Defaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.OnlineConfidence == 0 {
		c.OnlineConfidence = 90
	}
	if c.OfflineConfidence == 0 {
		c.OfflineConfidence = 60
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
	if c.OnlineConfidence < 0 || c.OnlineConfidence > 100 {
		errs = append(errs, fmt.Errorf("online_confidence: %d is outside 0-100", c.OnlineConfidence))
	}
	if c.OfflineConfidence < 0 || c.OfflineConfidence > 100 {
		errs = append(errs, fmt.Errorf("offline_confidence: %d is outside 0-100", c.OfflineConfidence))
	}
	return errors.Join(errs...)
}
