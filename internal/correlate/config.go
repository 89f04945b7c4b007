package correlate

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config tunes correlation. The zero value is not useful; start from
// DefaultConfig.
type Config struct {
	// BurstCount alerts or more on one host or one user whose times span at
	// most BurstWindow form a burst incident.
	BurstCount  int
	BurstWindow time.Duration
	// ChainWindow bounds how far apart two linked alerts may be for the
	// later one to advance the kill chain of the earlier.
	ChainWindow time.Duration
	// Lookback bounds how far back retrospective reasoning looks for
	// auto-closed or false-positive alerts on an incident's entities.
	Lookback time.Duration
	// RetroLimit caps how many alerts one incident attaches
	// retrospectively, the most recent first, so that a busy entity cannot
	// pull in a month of noise.
	RetroLimit int
	// MaxIncidentAlerts caps an incident's members: an alert that would
	// join a full incident starts a new one, and two incidents are merged
	// only if the result fits. It bounds memory on a host that never
	// stops alerting.
	MaxIncidentAlerts int
	// MaxEntityAlerts is the observed ubiquity limit: an entity in more
	// alerts than this within the chain window (or the look-back window,
	// for retrospective reasoning) is infrastructure every machine talks
	// to, and no longer links kill chains or attaches alerts. Bursts still
	// count it.
	MaxEntityAlerts int
	// Investigate and Escalate are the tenant's score thresholds: an
	// incident scoring at least Investigate is a likely attack, one above
	// Escalate is P1.
	Investigate int
	Escalate    int
	// IgnoreIPs are CIDRs of well-known infrastructure (DNS resolvers,
	// proxies, domain controllers' VIPs) that must never link alerts.
	// Loopback, link-local, multicast, unspecified and documentation
	// addresses never link either.
	IgnoreIPs []string
}

// DefaultConfig returns the shipped settings: bursts of 5 alerts in 15
// minutes, kill chains over 7 days, a 30-day look-back of at most 20
// alerts, thresholds 50 (investigate) and 75 (escalate), incidents of at
// most 1,000 alerts, entities in more than 200 alerts ubiquitous.
func DefaultConfig() Config {
	return Config{
		BurstCount:  5,
		BurstWindow: 15 * time.Minute,
		ChainWindow: 7 * 24 * time.Hour,
		Lookback:    30 * 24 * time.Hour,
		RetroLimit:  20,
		Investigate: 50,
		Escalate:    75,

		MaxIncidentAlerts: 1000,
		MaxEntityAlerts:   200,
	}
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.BurstCount < 2 {
		errs = append(errs, fmt.Errorf("burst_count: %d is below 2", c.BurstCount))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"burst_window", c.BurstWindow}, {"chain_window", c.ChainWindow}, {"lookback", c.Lookback}} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s: %v is not positive", d.name, d.v))
		}
	}
	if c.RetroLimit < 0 {
		errs = append(errs, fmt.Errorf("retro_limit: %d is negative", c.RetroLimit))
	}
	if c.MaxIncidentAlerts < c.BurstCount || c.MaxIncidentAlerts < 2 {
		errs = append(errs, fmt.Errorf("max_incident_alerts: %d is below the burst count %d", c.MaxIncidentAlerts, c.BurstCount))
	}
	if c.MaxEntityAlerts < 1 {
		errs = append(errs, fmt.Errorf("max_entity_alerts: %d is below 1", c.MaxEntityAlerts))
	}
	if c.Investigate < 0 || c.Investigate > 100 || c.Escalate < c.Investigate || c.Escalate > 100 {
		errs = append(errs, fmt.Errorf("thresholds: investigate %d and escalate %d must satisfy 0 <= investigate <= escalate <= 100", c.Investigate, c.Escalate))
	}
	if _, err := parsePrefixes(c.IgnoreIPs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func parsePrefixes(cidrs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	var errs []error
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("ignore_ips: %w", err))
				continue
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, errors.Join(errs...)
}

// retention is how long any per-alert state can matter.
func (c Config) retention() time.Duration {
	return max(c.BurstWindow, c.ChainWindow, c.Lookback)
}
