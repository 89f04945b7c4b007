package config

import (
	"fmt"
	"regexp"
	"time"
)

// Enricher configures one online threat-intel provider behind the host's
// governor (cache, rate, quota, breaker, retries).
type Enricher struct {
	// Name is the instance's unique name ("vt"), used in notes, metrics,
	// cache keys and quota counters.
	Name string `yaml:"name" json:"name"`
	// Type is the registered connector ("virustotal").
	Type string `yaml:"type" json:"type"`
	// Reliability is the Admiralty grade A-F; it orders the merge.
	Reliability string `yaml:"reliability" json:"reliability"`
	// Rate is the request budget, "N/s", "N/m", "N/h" or "N/d".
	Rate         string        `yaml:"rate" json:"rate,omitempty"`
	DailyQuota   int64         `yaml:"daily_quota" json:"daily_quota,omitempty"`
	MonthlyQuota int64         `yaml:"monthly_quota" json:"monthly_quota,omitempty"`
	Timeout      time.Duration `yaml:"timeout" json:"timeout,omitempty"`
	Retries      int           `yaml:"retries" json:"retries,omitempty"`
	TTL          EnricherTTL   `yaml:"ttl" json:"ttl,omitzero"`
	// Types restricts the observable types sent to the provider.
	Types []string `yaml:"types" json:"types,omitempty"`
	// Config is the connector's own block, decoded strictly by it. API
	// keys appear here only as references: {env: VAR} or {file: PATH}.
	Config map[string]any `yaml:"config" json:"config,omitempty"`
}

// EnricherTTL is how long answers stay cached, by verdict.
type EnricherTTL struct {
	Malicious  time.Duration `yaml:"malicious" json:"malicious,omitempty"`
	Suspicious time.Duration `yaml:"suspicious" json:"suspicious,omitempty"`
	Benign     time.Duration `yaml:"benign" json:"benign,omitempty"`
	Context    time.Duration `yaml:"context" json:"context,omitempty"`
	NotFound   time.Duration `yaml:"not_found" json:"not_found,omitempty"`
}

var ratePattern = regexp.MustCompile(`^[1-9][0-9]*/[smhd]$`)

var observableTypes = map[string]bool{
	"ipv4": true, "ipv6": true, "domain": true, "url": true, "email": true,
	"md5": true, "sha1": true, "sha256": true, "cve": true,
}

// validateEnrichers checks the enrichers section; the connector's own
// block is checked by the connector when the governor builds it.
func validateEnrichers(p *problems, es []Enricher, deadline time.Duration) {
	if deadline < 0 {
		p.add("enrich_deadline", "", "must not be negative")
	}
	names := map[string]int{}
	for i := range es {
		e := &es[i]
		path := fmt.Sprintf("enrichers[%d]", i)
		switch {
		case e.Name == "":
			p.add(path+".name", "", "required")
		case !tenantIDPattern.MatchString(e.Name):
			p.add(path+".name", "", "%q: use lower-case letters, digits, - and _", e.Name)
		default:
			if j, dup := names[e.Name]; dup {
				p.add(path+".name", "", "duplicate enricher %q (also enrichers[%d])", e.Name, j)
			}
			names[e.Name] = i
		}
		if e.Type == "" {
			p.add(path+".type", "", "required")
		}
		if r := e.Reliability; len(r) != 1 || r[0] < 'A' || r[0] > 'F' {
			p.add(path+".reliability", "", "%q: want one of %s", r, reliabilityForMessage)
		}
		if e.Rate != "" && !ratePattern.MatchString(e.Rate) {
			p.add(path+".rate", "", "%q: want N/s, N/m, N/h or N/d", e.Rate)
		}
		if e.DailyQuota < 0 {
			p.add(path+".daily_quota", "", "must not be negative")
		}
		if e.MonthlyQuota < 0 {
			p.add(path+".monthly_quota", "", "must not be negative")
		}
		if e.DailyQuota > 0 && e.MonthlyQuota > 0 && e.MonthlyQuota < e.DailyQuota {
			p.add(path+".monthly_quota", "", "%d is below daily_quota %d", e.MonthlyQuota, e.DailyQuota)
		}
		if e.Timeout < 0 {
			p.add(path+".timeout", "", "must not be negative")
		}
		if e.Retries < 0 || e.Retries > 10 {
			p.add(path+".retries", "", "%d: want 0 to 10", e.Retries)
		}
		ttls := []struct {
			key string
			d   time.Duration
		}{{"malicious", e.TTL.Malicious}, {"suspicious", e.TTL.Suspicious}, {"benign", e.TTL.Benign},
			{"context", e.TTL.Context}, {"not_found", e.TTL.NotFound}}
		for _, tt := range ttls {
			if tt.d < 0 {
				p.add(path+".ttl."+tt.key, "", "must not be negative")
			}
		}
		for j, t := range e.Types {
			if !observableTypes[t] {
				p.add(fmt.Sprintf("%s.types[%d]", path, j), "", "unknown observable type %q", t)
			}
		}
	}
}
