package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/attack"
	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/classify"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/decide"
	"github.com/winnow-soc/winnow/internal/enrich"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/ioc"
	"github.com/winnow-soc/winnow/internal/respond"
	"github.com/winnow-soc/winnow/internal/score"
)

// Engine decides alerts. It is immutable after New and safe for concurrent use.
type Engine struct {
	cfg       *config.Config
	offline   *enrich.Offline
	online    *enrich.Online
	kb        *attack.KB
	mapper    *attack.Mapper
	weights   *score.Weights
	rules     *decide.Set
	playbooks *respond.Playbooks
	tenants   map[string]*tenantState
}

// tenantState is what the engine precomputes per tenant.
type tenantState struct {
	cfg    *config.Tenant
	x      *ioc.Extractor
	policy classify.Policy
}

// Options tune how an engine is built.
type Options struct {
	// Intel, when set, is used instead of loading the feeds named in the
	// configuration (tests and long-running servers share one store).
	Intel *intel.Store
	// Online, when set, looks observables up in online providers behind
	// the governor; nil leaves decisions exactly as offline intel makes them.
	Online *enrich.Online
}

// New builds an engine from cfg, loading the offline intel it names.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Engine, error) {
	store := opts.Intel
	if store == nil {
		var err error
		store, err = intel.Load(ctx, intelFeeds(cfg))
		if err != nil {
			return nil, fmt.Errorf("load intel: %w", err)
		}
	}
	mapper, err := attack.DefaultMapper()
	if err != nil {
		return nil, fmt.Errorf("load attack mappings: %w", err)
	}
	weights, err := score.DefaultWeights()
	if err != nil {
		return nil, fmt.Errorf("load weights: %w", err)
	}
	rules, err := policies(cfg)
	if err != nil {
		return nil, err
	}
	online := opts.Online
	if online == nil {
		// Configured enrichers with in-memory cache and quota; a caller
		// with a database passes its own governed providers.
		if online, err = enrich.Build(cfg, connector.Deps{}, enrich.Stores{}); err != nil {
			return nil, fmt.Errorf("build enrichers: %w", err)
		}
	}
	playbooks, err := respond.Default()
	if err != nil {
		return nil, fmt.Errorf("load playbooks: %w", err)
	}
	e := &Engine{
		rules:     rules,
		playbooks: playbooks,
		cfg:       cfg,
		offline:   enrich.NewOffline(store),
		online:    online,
		kb:        attack.Default(),
		mapper:    mapper,
		weights:   weights,
		tenants:   make(map[string]*tenantState, len(cfg.Tenants)),
	}
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		domains := append(append([]string(nil), cfg.IOC.InternalDomains...), t.InternalDomains...)
		e.tenants[t.ID] = &tenantState{
			cfg: t,
			x:   ioc.New(ioc.Options{InternalDomains: domains}),
			policy: classify.Policy{
				Thresholds: classify.Thresholds{
					Escalate:       t.Thresholds.Escalate,
					Investigate:    t.Thresholds.Investigate,
					Review:         t.Thresholds.Review,
					AutoCloseBelow: t.Thresholds.AutoCloseBelow,
				},
				Mode: classify.Mode(t.Mode),
			},
		}
	}
	return e, nil
}

// policies compiles the default business rules and every tenant's own.
func policies(cfg *config.Config) (*decide.Set, error) {
	def, err := decide.DefaultPolicy()
	if err != nil {
		return nil, fmt.Errorf("load default policy: %w", err)
	}
	own := map[string]*decide.Policy{}
	var errs []error
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		name, src, ok := t.Policy()
		if !ok {
			continue
		}
		p, err := decide.Compile(name, src)
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: policy %s: %w", t.ID, name, err))
			continue
		}
		own[t.ID] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return decide.NewSet(def, own)
}

// Intel is the offline intel store the engine uses.
func (e *Engine) Intel() *intel.Store { return e.offline.Store() }

// ContentVersion names the content (weights) the decisions depend on.
func (e *Engine) ContentVersion() string { return e.weights.Version() }

// DefaultTenant is the tenant given to alerts that name none.
func (e *Engine) DefaultTenant() string { return e.cfg.DefaultTenant }

// Prepared is an alert after the stateless stages (ioc, enrich, attack and
// the inventory lookups), ready for the stages that decide.
type Prepared struct {
	Alert       alert.Alert
	Observables []alert.Observable
	Techniques  []alert.Technique
	// Category and RuleErrors are filled when the alert is decided: the
	// scoring category the weights chose and the business rules that could
	// not be evaluated (for the audit record).
	Category   string
	RuleErrors []string
	// State is what the stateful stages contributed, for the audit record.
	State *audit.State
	// online is what online enrichment reported: missing evidence and
	// the relation graph.
	online enrich.Report
	tenant *tenantState
	score  score.Input
}

// Asset is the inventory context the score and the rules saw.
func (p *Prepared) Asset() score.AssetContext { return p.score.Asset }

// User is the identity context the score and the rules saw.
func (p *Prepared) User() score.UserContext { return p.score.User }

// OffHours reports whether the alert fell outside the tenant's business hours.
func (p *Prepared) OffHours() bool { return p.score.OffHours }

// LocalTime is the alert time in the tenant's zone, as the score wrote it.
func (p *Prepared) LocalTime() string { return p.score.LocalTime }

// Mode is the tenant's deployment mode.
func (p *Prepared) Mode() string { return string(p.tenant.policy.Mode) }

// Prepare runs the stateless stages on one normalised alert. It is pure and
// safe for concurrent use: the Runner calls it on all cores. An alert whose
// tenant is empty is routed by the configuration's match rules (agent and
// host names), else given the default tenant; an unknown tenant is an
// error, never silently someone else's.
func (e *Engine) Prepare(a *alert.Alert) (*Prepared, error) {
	if a.Tenant == "" {
		a.Tenant = e.route(a)
	}
	ts, ok := e.tenants[a.Tenant]
	if !ok {
		return nil, fmt.Errorf("unknown tenant %q", a.Tenant)
	}
	p := &Prepared{Alert: *a, tenant: ts}
	a = &p.Alert
	p.Observables = ts.x.Alert(nil, a)
	e.offline.Enrich(p.Observables)
	if e.online != nil {
		// Online enrichment bounds itself with the per-alert deadline.
		p.online = e.online.Enrich(context.Background(), p.Observables)
	} else {
		// The relation graph is kept with every decision, from offline
		// evidence when no online provider is configured.
		p.online.Relations = enrich.Relations(p.Observables)
	}
	p.Techniques = e.mapper.Map(a)
	p.score = score.Input{
		Alert:       a,
		Observables: p.Observables,
		Techniques:  e.techniqueInfo(p.Techniques),
		Asset:       e.assetContext(ts.cfg, a, p.Observables),
		User:        e.userContext(ts.cfg, a),
		OffHours:    !a.Time.IsZero() && !ts.cfg.InBusinessHours(a.Time),
		LocalTime:   a.Time.In(ts.cfg.Location()).Format("Mon 15:04 MST"),
	}
	return p, nil
}

// Decide runs every stateless stage on one alert: Prepare, scoring,
// classification, business rules and playbooks, without history or
// correlation (a Session adds those). It is safe for concurrent use.
func (e *Engine) Decide(a *alert.Alert) (alert.Decision, error) {
	p, err := e.Prepare(a)
	if err != nil {
		return alert.Decision{}, err
	}
	d := e.conclude(p, nil)
	*a = p.Alert
	return d, nil
}

// decision assembles the output record; empty lists are [] in the output.
func decision(p *Prepared, sr score.Result, cr classify.Result) alert.Decision {
	a := &p.Alert
	techs, obs := p.Techniques, p.Observables
	if techs == nil {
		techs = []alert.Technique{}
	}
	if obs == nil {
		obs = []alert.Observable{}
	}
	return alert.Decision{
		AlertID:     a.ID,
		Tenant:      a.Tenant,
		Source:      a.Source,
		Time:        a.Time.UTC().Truncate(time.Microsecond),
		Title:       a.Title,
		Verdict:     cr.Verdict,
		Disposition: cr.Disposition,
		Severity:    cr.Severity,
		Priority:    cr.Priority,
		Score:       sr.Score,
		Factors:     sr.Factors,
		Observables: obs,
		Techniques:  techs,
		IncidentID:  nil,
		Actions:     []alert.Action{},
		Reasoning:   cr.Reasoning,
		RulesFired:  []string{},
		Relations:   p.online.Relations,
	}
}

func (e *Engine) route(a *alert.Alert) string {
	var hosts []string
	for _, h := range a.Entities.Hosts {
		if h.Name != "" {
			hosts = append(hosts, h.Name)
		}
	}
	agent := ""
	if len(hosts) > 0 {
		agent = hosts[0]
	}
	if t := e.cfg.Route(agent, hosts...); t != nil {
		return t.ID
	}
	return e.cfg.DefaultTenant
}

func (e *Engine) techniqueInfo(techs []alert.Technique) []score.TechniqueInfo {
	if len(techs) == 0 {
		return nil
	}
	out := make([]score.TechniqueInfo, len(techs))
	for i, t := range techs {
		out[i] = score.TechniqueInfo{Technique: t, TacticOrder: -1}
		if kt, ok := e.kb.Technique(t.ID); ok {
			out[i].Groups = kt.Groups
		}
		for _, tac := range t.Tactics {
			if kt, ok := e.kb.Tactic(tac); ok && kt.Order > out[i].TacticOrder {
				out[i].TacticOrder = kt.Order
			}
		}
	}
	return out
}

// Replay decides an audited alert again from its record: the recorded
// alert, its enriched observables (the enrichment snapshot), techniques,
// inventory context and the stateful stages' contributions go through
// scoring, classification, business rules and playbooks. Under the same
// configuration and content versions the result equals the recorded
// decision byte for byte; a difference shows what changed.
func (e *Engine) Replay(rec *audit.Decision) (alert.Decision, error) {
	a := rec.Alert
	if rec.Raw != nil {
		a.Raw = rec.Raw
	}
	ts, ok := e.tenants[a.Tenant]
	if !ok {
		return alert.Decision{}, fmt.Errorf("unknown tenant %q", a.Tenant)
	}
	p := &Prepared{Alert: a, Observables: rec.Decision.Observables, Techniques: rec.Decision.Techniques, tenant: ts}
	p.online.Relations = rec.Decision.Relations
	if len(p.Techniques) == 0 {
		p.Techniques = nil
	}
	c := rec.Context
	p.score = score.Input{
		Alert:       &p.Alert,
		Observables: p.Observables,
		Techniques:  e.techniqueInfo(p.Techniques),
		Asset:       score.AssetContext{Name: c.Asset.Name, Criticality: c.Asset.Criticality, Tags: c.Asset.Tags},
		User:        score.UserContext{Name: c.User.Name, VIP: c.User.VIP, Role: c.User.Role},
		OffHours:    c.OffHours,
		LocalTime:   c.LocalTime,
	}
	var st audit.State
	if c.State != nil {
		st = *c.State
	}
	return e.finalize(p, e.weights.Score(&p.score), &st), nil
}
