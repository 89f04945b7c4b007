package opencti

import (
	"errors"
	"fmt"

	"github.com/winnow-soc/winnow/connector"
)

// Config is the opencti enricher's configuration block. OpenCTI is
// self-hosted (or a tenant of Filigran's SaaS), so there is no vendor
// default for BaseURL: the operator names the platform.
type Config struct {
	// BaseURL is the platform, e.g. https://opencti.example.org; the
	// connector posts to BaseURL + "/graphql".
	BaseURL string `json:"base_url"`
	// APIKey names the user's API token (Profile > API access).
	APIKey connector.SecretRef `json:"api_key"`
	// MaliciousScore and SuspiciousScore are the lowest x_opencti_score
	// of each band (defaults 70 and 40).
	MaliciousScore  int `json:"malicious_score"`
	SuspiciousScore int `json:"suspicious_score"`
	// BenignScore is the highest score read as benign (default 10).
	BenignScore *int `json:"benign_score"`
	// First caps the observables and the indicators asked for (default 10).
	First int `json:"first"`
}

// Defaults used when the configuration leaves a field out.
const (
	DefaultMaliciousScore  = 70
	DefaultSuspiciousScore = 40
	DefaultBenignScore     = 10
	DefaultFirst           = 10
)

// Defaults fills what the operator left out.
func (c *Config) Defaults() {
	if c.MaliciousScore == 0 {
		c.MaliciousScore = DefaultMaliciousScore
	}
	if c.SuspiciousScore == 0 {
		c.SuspiciousScore = DefaultSuspiciousScore
	}
	if c.BenignScore == nil {
		b := DefaultBenignScore
		c.BenignScore = &b
	}
	if c.First == 0 {
		c.First = DefaultFirst
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
	benign := DefaultBenignScore
	if c.BenignScore != nil {
		benign = *c.BenignScore
	}
	if !(0 <= benign && benign < c.SuspiciousScore && c.SuspiciousScore <= c.MaliciousScore && c.MaliciousScore <= 100) {
		errs = append(errs, fmt.Errorf("scores: want 0 <= benign_score (%d) < suspicious_score (%d) <= malicious_score (%d) <= 100",
			benign, c.SuspiciousScore, c.MaliciousScore))
	}
	if c.First < 1 || c.First > 100 {
		errs = append(errs, fmt.Errorf("first: %d is outside 1-100", c.First))
	}
	return errors.Join(errs...)
}
