package enrich

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// DefaultDeadline bounds the online enrichment of one alert.
const DefaultDeadline = 2 * time.Second

// Provider is one governed online provider.
type Provider struct {
	Policy  Policy
	cached  *Cached
	limited *Limited
	guarded *Guarded
	metrics *Metrics
}

// Stores are the persistent stores the governor uses; nil fields mean
// in-memory only.
type Stores struct {
	Cache CacheStore
	Quota QuotaStore
}

// Govern wraps a connector with the host's layers: cache (persistent, with
// an in-memory front and coalescing) over breaker and retries over rate and
// quota. now may be nil (time.Now).
func Govern(e connector.Enricher, p Policy, st Stores, now func() time.Time) *Provider {
	p.TTL = p.TTL.withDefaults()
	lim := NewLimited(e, &p, st.Quota, now)
	g := NewGuarded(lim, &p)
	c := NewCached(g, p.Name, st.Cache, CacheOptions{TTL: p.TTL, Now: now})
	return &Provider{Policy: p, cached: c, limited: lim, guarded: g, metrics: newMetrics(p.Name)}
}

// Lookup asks the provider through every layer; Raw is kept.
func (p *Provider) Lookup(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	start := time.Now()
	fs, hit, err := p.cached.Lookup(ctx, o)
	p.metrics.observe(hit, time.Since(start), err)
	return fs, err
}

// Metrics snapshots the provider's counters with its quota left.
func (p *Provider) Metrics(ctx context.Context) MetricsSnapshot {
	if q, err := p.limited.Quota(ctx); err == nil {
		p.metrics.setQuotaLeft(q.Left())
	}
	return p.metrics.Snapshot()
}

// Quota reports the provider's quota use.
func (p *Provider) Quota(ctx context.Context) (Quota, error) { return p.limited.Quota(ctx) }

// Breaker is the circuit breaker's state.
func (p *Provider) Breaker() string { return p.guarded.State() }

// Online fans one alert's observables out to every provider, bounded, and
// merges the answers deterministically. It is safe for concurrent use.
type Online struct {
	providers []*Provider // by reliability, then name
	deadline  time.Duration
	parallel  int
}

// NewOnline orders providers for the merge. deadline <= 0 is
// DefaultDeadline; parallel <= 0 is 8 lookups at once per alert.
func NewOnline(providers []*Provider, deadline time.Duration, parallel int) *Online {
	ps := slices.Clone(providers)
	sort.SliceStable(ps, func(i, j int) bool {
		ri, rj := reliabilityRank(ps[i].Policy.Reliability), reliabilityRank(ps[j].Policy.Reliability)
		if ri != rj {
			return ri < rj
		}
		return ps[i].Policy.Name < ps[j].Policy.Name
	})
	if deadline <= 0 {
		deadline = DefaultDeadline
	}
	if parallel <= 0 {
		parallel = 8
	}
	return &Online{providers: ps, deadline: deadline, parallel: parallel}
}

// Providers lists the governed providers in merge order.
func (g *Online) Providers() []*Provider { return g.providers }

// Report is what online enrichment adds to a decision besides findings.
type Report struct {
	// Notes name each provider's missing evidence, in merge order:
	// "vt: lookup failed (timeout); evidence missing".
	Notes []string
	// Missing is true when a provider failed for a public observable: the
	// alert must not be auto-closed on this evidence.
	Missing   bool
	Relations []alert.Relation
}

// Enrich looks every public observable up in every provider that takes
// its type, within the alert deadline, and appends the findings (Raw
// stripped) after those already present, providers in merge order.
func (g *Online) Enrich(ctx context.Context, obs []alert.Observable) Report {
	var rep Report
	if g == nil || len(g.providers) == 0 {
		return rep
	}
	ctx, cancel := context.WithTimeout(ctx, g.deadline)
	defer cancel()
	type job struct{ o, p int }
	var jobs []job
	for i := range obs {
		if own(&obs[i]) {
			continue
		}
		for j, p := range g.providers {
			if p.Policy.allows(obs[i].Type) && p.cached.Supports(obs[i].Type) {
				jobs = append(jobs, job{i, j})
			}
		}
	}
	found := make([][]alert.Finding, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, g.parallel)
	var wg sync.WaitGroup
	for k, jb := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			found[k], errs[k] = g.providers[jb.p].Lookup(ctx, obs[jb.o])
		}()
	}
	wg.Wait()
	noted := map[string]bool{}
	for k, jb := range jobs { // jobs are in observable, then provider order
		p := g.providers[jb.p]
		if errs[k] != nil {
			rep.Missing = true
			n := note(p.Policy.Name, errs[k])
			if !noted[n] {
				noted[n] = true
				rep.Notes = append(rep.Notes, n)
			}
			continue
		}
		for _, f := range found[k] {
			f.Raw = nil
			if f.Reliability == "" {
				f.Reliability = p.Policy.Reliability
			}
			obs[jb.o].Findings = append(obs[jb.o].Findings, f)
		}
	}
	rep.Relations = Relations(obs)
	return rep
}

// note explains a failed lookup in the decision's reasoning.
func note(name string, err error) string {
	var qe *QuotaError
	if errors.As(err, &qe) {
		return fmt.Sprintf("%s: %s; cache only", name, qe.Error())
	}
	return fmt.Sprintf("%s: lookup failed (%s); evidence missing", name, strings.ReplaceAll(errorKind(err), "_", " "))
}

func isQuota(err error) bool    { return errors.Is(err, ErrQuotaSpent) }
func isRateWait(err error) bool { return errors.Is(err, ErrRateWait) }
func isBreaker(err error) bool  { return errors.Is(err, ErrBreakerOpen) }
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// Relations derives the observable graph: a URL's host (domain or IP), an
// IP's ASN from offline intel, and the names and networks providers state
// for an IP ("hostname:<name>", "asn:AS<n>" categories, as Shodan gives
// them). The result is sorted and without duplicates.
func Relations(obs []alert.Observable) []alert.Relation {
	var rs []alert.Relation
	for i := range obs {
		o := &obs[i]
		id := string(o.Type) + ":" + o.Value
		switch o.Type {
		case alert.URL:
			if h := urlHost(o.Value); h != "" {
				t := alert.Domain
				if isIPv4(h) {
					t = alert.IPv4
				}
				rs = append(rs, alert.Relation{From: id, To: string(t) + ":" + h, Kind: "hosted_on", Source: "url"})
			}
		case alert.IPv4, alert.IPv6:
			for _, f := range o.Findings {
				if slices.Contains(f.Categories, "asn") && strings.HasPrefix(f.Detail, "AS") {
					asn, _, _ := strings.Cut(f.Detail, " ")
					rs = append(rs, alert.Relation{From: id, To: "asn:" + asn, Kind: "belongs_to", Source: f.Source})
				}
				// Providers that know an address's names or network state
				// them as "hostname:<name>" and "asn:AS<n>" categories.
				for _, c := range f.Categories {
					switch {
					case strings.HasPrefix(c, "hostname:") && len(c) > len("hostname:"):
						rs = append(rs, alert.Relation{From: id, To: "domain:" + strings.ToLower(c[len("hostname:"):]), Kind: "resolves_from", Source: f.Source})
					case strings.HasPrefix(c, "asn:AS"):
						rs = append(rs, alert.Relation{From: id, To: "asn:" + c[len("asn:"):], Kind: "belongs_to", Source: f.Source})
					}
				}
			}
		}
	}
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Kind < b.Kind
	})
	return slices.Compact(rs)
}

func urlHost(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if h, _, ok := strings.Cut(rest, ":"); ok {
		rest = h
	}
	return strings.ToLower(rest)
}

func isIPv4(s string) bool {
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			dots++
		case c < '0' || c > '9':
			return false
		}
	}
	return dots == 3
}
