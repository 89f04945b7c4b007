package enrich

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/config"
)

// PolicyOf turns an enrichers entry into the governor's policy.
func PolicyOf(e *config.Enricher) (Policy, error) {
	r, err := ParseRate(e.Rate)
	if err != nil {
		return Policy{}, err
	}
	p := Policy{Name: e.Name, Reliability: e.Reliability, Rate: r, DailyQuota: e.DailyQuota,
		MonthlyQuota: e.MonthlyQuota, Timeout: e.Timeout, Retries: e.Retries,
		TTL: TTL{Malicious: e.TTL.Malicious, Suspicious: e.TTL.Suspicious, Benign: e.TTL.Benign,
			Context: e.TTL.Context, NotFound: e.TTL.NotFound}}
	for _, t := range e.Types {
		p.Types = append(p.Types, alert.ObservableType(t))
	}
	return p, p.Validate()
}

// Build constructs the governed providers of cfg's enrichers section with
// the registered connectors; every problem is reported at once. It returns
// nil when no enricher is configured. deps.HTTP nil gets a client that
// never follows redirects.
func Build(cfg *config.Config, deps connector.Deps, st Stores) (*Online, error) {
	if len(cfg.Enrichers) == 0 {
		return nil, nil
	}
	deps.HTTP = deps.Client() // one client, never following redirects, for every provider
	var ps []*Provider
	var errs []error
	for i := range cfg.Enrichers {
		e := &cfg.Enrichers[i]
		p, err := PolicyOf(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("enrichers[%d] %s: %w", i, e.Name, err))
			continue
		}
		factory, ok := connector.LookupEnricher(e.Type)
		if !ok {
			errs = append(errs, fmt.Errorf("enrichers[%d] %s: unknown type %q (registered: %v)", i, e.Name, e.Type, connector.Enrichers()))
			continue
		}
		raw, err := json.Marshal(e.Config)
		if err != nil {
			errs = append(errs, fmt.Errorf("enrichers[%d] %s: encode config: %w", i, e.Name, err))
			continue
		}
		c, err := factory(raw, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("enrichers[%d] %s: %w", i, e.Name, err))
			continue
		}
		ps = append(ps, Govern(c, p, st, nil))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return NewOnline(ps, cfg.EnrichDeadline, 0), nil
}
