package correlate

import (
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/attack"
)

// numTactics bounds the kill-chain positions a tactic mask can hold.
const numTactics = 16

// Event is one decided alert as the sequential stage hands it over: the
// alert, what the stateless stages found, and its preliminary judgement.
// Add keeps Techniques (not the alert): the caller must not modify that
// slice afterwards.
type Event struct {
	Alert       *alert.Alert
	Observables []alert.Observable
	Techniques  []alert.Technique
	Score       int
	Disposition alert.Disposition
	Verdict     alert.Verdict
}

// Result is what one call changed for one alert.
type Result struct {
	// Incident is a snapshot of the incident the alert belongs to, nil if
	// none. Later calls never modify it; its slices share arrays with the
	// correlator (copy on write), so it must be treated as read-only.
	Incident *alert.Incident `json:"incident,omitempty"`
	// New is true when this call created the incident.
	New bool `json:"new,omitempty"`
	// Burst is true when the alert is part of a burst detected on this
	// call: the business rules propose preventive containment.
	Burst bool `json:"burst,omitempty"`
	// Chain is true when the alert's incident is a kill-chain progression.
	Chain bool `json:"chain,omitempty"`
	// Factors are the contributions to add to the alert's score, each with
	// a detail naming its evidence.
	Factors []alert.Factor `json:"factors,omitempty"`
	// Reinvestigate are alert IDs newly flagged for re-investigation.
	Reinvestigate []string `json:"reinvestigate,omitempty"`
	// Reasons explain, one sentence each, what correlation concluded.
	Reasons []string `json:"reasons,omitempty"`
}

// Correlator groups the alerts of each tenant into incidents. It keeps its
// state in memory, bounded by the largest configured window, and is not
// safe for concurrent use: the pipeline calls it from its one sequential
// stage, in input order.
type Correlator struct {
	cfg     Config
	w       *Weights
	ignore  []netip.Prefix
	order   map[string]int // tactic short name -> kill-chain position
	tactic  [numTactics]string
	tenants map[string]*tenant
	seq     uint64
	keyBuf  []key
	ents    []*entity // the entities of r.keys, nil where new
	// What the alert being added joins: incidents and alerts in none.
	joinIncs []*incident
	loose    []*rec
	adv      []advance
}

// join notes that the alert being added joins p and its incident.
func (c *Correlator) join(p *rec) {
	if p.inc != nil {
		if !slices.Contains(c.joinIncs, p.inc) {
			c.joinIncs = append(c.joinIncs, p.inc)
		}
	} else if !slices.Contains(c.loose, p) {
		c.loose = append(c.loose, p)
	}
}

// tenant is the state of one tenant; nothing in it refers to another's.
type tenant struct {
	name      string
	alerts    map[string]*rec
	queue     []*rec // arrival order, evicted from the front
	head      int
	entities  map[key]*entity
	incidents map[string]*incident
	now       time.Time // the latest alert time seen
}

// entity is what is remembered about one linking entity.
type entity struct {
	recs   []*rec           // sorted by time, then arrival
	times  []int64          // the recs' ts, parallel to recs
	latest [numTactics]*rec // the latest alert with each tactic
}

// rec is what is remembered about one alert.
type rec struct {
	id          string
	time        time.Time
	ts          int64 // time in Unix nanoseconds, for fast comparison
	seq         uint64
	keys        []key
	mask        uint16 // kill-chain positions of its tactics
	techniques  []alert.Technique
	score       int
	disposition alert.Disposition
	verdict     alert.Verdict
	feedback    alert.Verdict
	inc         *incident
	retro       bool // attached retrospectively
	flagged     bool // listed for re-investigation
	evicted     bool
}

func before(a, b *rec) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	return a.seq < b.seq
}

// New builds a correlator. A nil w uses the shipped weights.
func New(cfg Config, w *Weights) (*Correlator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("correlate config: %w", err)
	}
	if w == nil {
		var err error
		if w, err = DefaultWeights(); err != nil {
			return nil, err
		}
	}
	ignore, _ := parsePrefixes(cfg.IgnoreIPs)
	c := &Correlator{cfg: cfg, w: w, ignore: ignore, order: map[string]int{}, tenants: map[string]*tenant{}}
	for _, t := range attack.Default().Tactics() {
		if t.Order >= 0 && t.Order < numTactics {
			c.order[t.ShortName] = t.Order
			c.tactic[t.Order] = t.ShortName
		}
	}
	return c, nil
}

func (c *Correlator) tenant(name string) *tenant {
	t := c.tenants[name]
	if t == nil {
		t = &tenant{name: name, alerts: map[string]*rec{}, entities: map[key]*entity{}, incidents: map[string]*incident{}}
		c.tenants[name] = t
	}
	return t
}

// Add places one decided alert (with its preliminary score and
// disposition) and returns the incident it now belongs to, whether it is
// new, whether a burst or a chain was detected, the factors to add to the
// alert's score, the alerts newly flagged for re-investigation and the
// reasons. An alert ID already seen for the tenant changes nothing and
// returns its incident.
func (c *Correlator) Add(ev Event) Result {
	a := ev.Alert
	if a == nil {
		return Result{}
	}
	t := c.tenant(a.Tenant)
	if r := t.alerts[a.ID]; r != nil {
		return Result{Incident: c.snapshot(r.inc)}
	}
	c.evict(t, a.Time)
	c.seq++
	r := &rec{
		id: a.ID, time: a.Time, ts: nanos(a.Time), seq: c.seq, score: ev.Score,
		disposition: ev.Disposition, verdict: ev.Verdict,
		techniques: ev.Techniques,
	}
	c.keyBuf = c.keys(c.keyBuf[:0], &ev)
	r.keys = slices.Clone(c.keyBuf)
	c.ents = c.ents[:0]
	for _, k := range r.keys {
		c.ents = append(c.ents, t.entities[k])
	}
	for _, tech := range ev.Techniques {
		for _, tac := range tech.Tactics {
			if o, ok := c.order[tac]; ok {
				r.mask |= 1 << o
			}
		}
	}

	var res Result
	c.joinIncs, c.loose = c.joinIncs[:0], c.loose[:0]
	burst := c.bursts(t, r)
	advances := c.advances(t, r)
	if burst.n == 0 && len(advances) == 0 {
		c.index(t, r)
		return res
	}

	loose := c.loose
	inc := c.target(t, r, c.joinIncs, loose, &res)
	for _, p := range loose {
		c.addMember(inc, p, r.time, "linked by a later alert")
	}
	c.index(t, r)
	why := "advances the kill chain"
	if len(advances) == 0 {
		why = "part of an alert burst"
	}
	c.addMember(inc, r, r.time, why)
	if burst.n > 0 {
		res.Burst = true
		detail := fmt.Sprintf("%d alerts on %s within %v", burst.n, burst.k, c.cfg.BurstWindow)
		c.addKind(inc, alert.IncidentBurst, r, detail)
		res.Reasons = append(res.Reasons, fmt.Sprintf("alert burst: %s (incident %s)", detail, inc.id))
		res.Factors = append(res.Factors, alert.Factor{
			Name: "alert_burst", Contribution: c.w.burst,
			Detail: fmt.Sprintf("%s, part of incident %s", detail, inc.id),
		})
	}
	if len(advances) > 0 {
		a := advances[0]
		detail := fmt.Sprintf("%s in alert %s follows %s in alert %s, linked by %s",
			c.tactic[a.to], r.id, c.tactic[a.from], a.p.id, a.k)
		c.addKind(inc, alert.IncidentKillChain, r, detail)
		res.Reasons = append(res.Reasons, "kill-chain progression: "+detail)
	}
	c.rescore(inc, r)
	if inc.hasKind(alert.IncidentKillChain) {
		res.Chain = true
		if bonus := c.w.chainBonus(bits.OnesCount16(inc.mask)); bonus > 0 {
			res.Factors = append(res.Factors, alert.Factor{
				Name: "kill_chain_progression", Contribution: bonus,
				Detail: fmt.Sprintf("incident %s advances %s across alerts %s",
					inc.id, c.tacticPath(inc.mask), joinIDs(inc.members, 8)),
			})
		}
	}
	c.judge(t, inc, r, &res)
	res.Incident = c.snapshot(inc)
	return res
}

// burstHit is the largest burst the alert completes or extends.
type burstHit struct {
	k key
	n int
}

// bursts finds, for every host and user of r, the alerts within the burst
// window before it; where they reach the burst count with r, they are
// handed to join.
func (c *Correlator) bursts(t *tenant, r *rec) burstHit {
	var best burstHit
	from := r.ts - int64(c.cfg.BurstWindow)
	for i, k := range r.keys {
		e := c.ents[i]
		if e == nil || !k.burst() {
			continue
		}
		lo, _ := slices.BinarySearch(e.times, from)
		hi, _ := slices.BinarySearch(e.times, r.ts+1)
		n := hi - lo + 1
		if n < c.cfg.BurstCount {
			continue
		}
		if n == c.cfg.BurstCount || e.recs[hi-1].inc == nil {
			// The burst starts now: every alert in the window joins.
			for _, p := range e.recs[lo:hi] {
				c.join(p)
			}
		} else {
			// The window already held a burst when the latest alert
			// arrived, so they all share its incident.
			c.join(e.recs[hi-1])
		}
		if n > best.n {
			best = burstHit{k, n}
		}
	}
	return best
}

// advance is one earlier linked alert whose kill chain r advances.
type advance struct {
	p        *rec
	k        key
	from, to int // tactic positions
}

// advances finds the earlier alerts linked to r by an entity, within the
// chain window, whose kill chain r advances: r has a tactic that the chain
// lacks and that lies later than the chain's first tactic. The chain is
// p's kill-chain incident when p belongs to one, else p alone. Requiring a
// new tactic bounds how far noise can grow a chain: repeating detections
// do not join (bursts group those). Only the latest alert per entity and
// tactic is considered, which bounds the work per alert.
func (c *Correlator) advances(t *tenant, r *rec) []advance {
	if r.mask == 0 {
		return nil
	}
	out := c.adv[:0]
	defer func() { c.adv = out[:0] }()
	from := r.ts - int64(c.cfg.ChainWindow)
	for i, k := range r.keys {
		e := c.ents[i]
		if e == nil || c.ubiquitous(e, from) {
			continue
		}
		for _, p := range e.latest {
			if p == nil || p.ts < from || p.ts > r.ts ||
				slices.ContainsFunc(out, func(a advance) bool { return a.p == p }) {
				continue
			}
			mask := p.mask
			if p.inc != nil && p.inc.hasKind(alert.IncidentKillChain) {
				mask = p.inc.mask
			}
			fresh := r.mask &^ mask
			first, to := bits.TrailingZeros16(mask), bits.Len16(fresh)-1
			if fresh == 0 || to <= first {
				continue
			}
			out = append(out, advance{p, k, first, to})
			c.join(p)
		}
	}
	return out
}

// ubiquitous reports whether the entity is in more alerts since from than
// the configured limit.
func (c *Correlator) ubiquitous(e *entity, from int64) bool {
	n := len(e.times)
	if n <= c.cfg.MaxEntityAlerts {
		return false
	}
	lo, _ := slices.BinarySearch(e.times, from)
	return n-lo > c.cfg.MaxEntityAlerts
}

// index records r under each of its entities.
func (c *Correlator) index(t *tenant, r *rec) {
	t.alerts[r.id] = r
	t.queue = append(t.queue, r)
	for i, k := range r.keys {
		e := c.ents[i]
		if e == nil {
			e = &entity{}
			t.entities[k] = e
			c.ents[i] = e
		}
		// r arrived last, so it sorts after every alert of its time.
		i := len(e.times)
		for i > 0 && e.times[i-1] > r.ts {
			i--
		}
		e.recs = slices.Insert(e.recs, i, r)
		e.times = slices.Insert(e.times, i, r.ts)
		for m := r.mask; m != 0; m &= m - 1 {
			o := bits.TrailingZeros16(m)
			if p := e.latest[o]; p == nil || !before(r, p) {
				e.latest[o] = r
			}
		}
	}
}

// evict drops the state of alerts older than every window, measured from
// the latest alert time seen (never the wall clock).
func (c *Correlator) evict(t *tenant, now time.Time) {
	if now.After(t.now) {
		t.now = now
	}
	cutoff := nanos(t.now) - int64(c.cfg.retention())
	for t.head < len(t.queue) && t.queue[t.head].ts < cutoff {
		r := t.queue[t.head]
		t.queue[t.head] = nil
		t.head++
		c.drop(t, r)
	}
	if t.head > 1024 && t.head*2 > len(t.queue) {
		t.queue = slices.Clone(t.queue[t.head:])
		t.head = 0
	}
}

func (c *Correlator) drop(t *tenant, r *rec) {
	r.evicted = true
	delete(t.alerts, r.id)
	for _, k := range r.keys {
		e := t.entities[k]
		if e == nil {
			continue
		}
		if i := slices.Index(e.recs, r); i >= 0 {
			e.recs = slices.Delete(e.recs, i, i+1)
			e.times = slices.Delete(e.times, i, i+1)
		}
		for o, p := range e.latest {
			if p == r {
				e.latest[o] = nil
			}
		}
		if len(e.recs) == 0 {
			delete(t.entities, k)
		}
	}
	if inc := r.inc; inc != nil {
		inc.live--
		if inc.live == 0 {
			delete(t.incidents, inc.id)
		}
	}
}

// Update records an alert's final score, disposition and verdict after the
// engine re-classified it with the correlation factors. It may make the
// alert's incident a likely attack and trigger retrospective attachment;
// the result says what changed. Unknown alerts change nothing.
func (c *Correlator) Update(tenant, alertID string, score int, d alert.Disposition, v alert.Verdict) Result {
	t := c.tenants[tenant]
	if t == nil {
		return Result{}
	}
	r := t.alerts[alertID]
	if r == nil {
		return Result{}
	}
	old := r.score
	r.score, r.disposition, r.verdict = score, d, v
	inc := r.inc
	if inc == nil {
		return Result{}
	}
	if score >= inc.top {
		inc.top = score
	} else if old == inc.top {
		inc.top = 0
		for _, m := range inc.members {
			inc.top = max(inc.top, m.score)
		}
	}
	var res Result
	c.rescore(r.inc, r)
	c.judge(t, r.inc, r, &res)
	res.Chain = r.inc.hasKind(alert.IncidentKillChain)
	res.Incident = c.snapshot(r.inc)
	return res
}

// Feedback records an analyst's verdict on an earlier alert
// (false_positive, benign_positive, true_positive). A false positive makes
// the alert a candidate for retrospective attachment; a true positive makes
// its incident a confirmed attack, which may attach and flag others.
func (c *Correlator) Feedback(tenant, alertID string, v alert.Verdict) Result {
	t := c.tenants[tenant]
	if t == nil {
		return Result{}
	}
	r := t.alerts[alertID]
	if r == nil {
		return Result{}
	}
	r.feedback = v
	if r.inc == nil {
		return Result{}
	}
	var res Result
	r.inc.unchecked = append(r.inc.unchecked, r.inc.members...)
	c.judge(t, r.inc, nil, &res)
	res.Chain = r.inc.hasKind(alert.IncidentKillChain)
	res.Incident = c.snapshot(r.inc)
	return res
}

// Incident returns a read-only snapshot of one incident of the tenant.
func (c *Correlator) Incident(tenant, id string) (alert.Incident, bool) {
	t := c.tenants[tenant]
	if t == nil {
		return alert.Incident{}, false
	}
	inc := t.incidents[id]
	if inc == nil {
		return alert.Incident{}, false
	}
	return *c.snapshot(inc), true
}

// Incidents returns read-only snapshots of the tenant's live incidents,
// sorted by first alert time, then ID.
func (c *Correlator) Incidents(tenant string) []alert.Incident {
	t := c.tenants[tenant]
	if t == nil {
		return nil
	}
	incs := make([]*incident, 0, len(t.incidents))
	for _, inc := range t.incidents {
		incs = append(incs, inc)
	}
	slices.SortFunc(incs, func(a, b *incident) int {
		if c := a.first().Compare(b.first()); c != 0 {
			return c
		}
		return compareStrings(a.id, b.id)
	})
	out := make([]alert.Incident, len(incs))
	for i, inc := range incs {
		out[i] = *c.snapshot(inc)
	}
	return out
}

// nanos is t in Unix nanoseconds, clamped to the years int64 can hold, so
// that an alert without a time sorts first instead of overflowing.
func nanos(t time.Time) int64 {
	switch {
	case t.Year() < 1680:
		return math.MinInt64 / 2
	case t.Year() > 2260:
		return math.MaxInt64 / 2
	}
	return t.UnixNano()
}
