package history

import (
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Config holds the operational settings of a Tracker; the weights and
// thresholds of the factors are content (Weights).
type Config struct {
	// Window is how long history is kept: alerts older than the tenant's
	// latest alert time minus Window are forgotten.
	Window time.Duration
	// WarmUpAlerts and WarmUpPeriod delay novelty: a tenant produces no
	// novelty factor until it has recorded WarmUpAlerts alerts AND its first
	// alert is at least WarmUpPeriod older than the alert assessed.
	WarmUpAlerts int
	WarmUpPeriod time.Duration
	// MaxPeers caps the destinations remembered per source entity.
	MaxPeers int
}

// DefaultConfig returns the shipped settings: 30 days of history, a warm-up
// of 100 alerts and 24 hours, and 64 peers per source.
func DefaultConfig() Config {
	return Config{
		Window:       30 * 24 * time.Hour,
		WarmUpAlerts: 100,
		WarmUpPeriod: 24 * time.Hour,
		MaxPeers:     64,
	}
}

// Tracker is the per-tenant memory of entities. It is not safe for
// concurrent use: the pipeline calls it from its one sequential stage.
type Tracker struct {
	cfg     Config
	w       *Weights
	tenants map[string]*tenant
	// scratch buffers reused by every call; they make a Tracker unsafe
	// for concurrent use, which its contract already excludes.
	scratch     subjects
	scratchEnts []*entity
}

// New returns an empty Tracker. Zero or negative settings in cfg take the
// DefaultConfig values.
func New(cfg Config, w *Weights) *Tracker {
	d := DefaultConfig()
	if cfg.Window <= 0 {
		cfg.Window = d.Window
	}
	if cfg.WarmUpAlerts < 0 {
		cfg.WarmUpAlerts = 0
	}
	if cfg.WarmUpPeriod < 0 {
		cfg.WarmUpPeriod = 0
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = d.MaxPeers
	}
	return &Tracker{cfg: cfg, w: w, tenants: map[string]*tenant{}}
}

// class is what an alert taught history: nothing, a benign pattern or a
// malicious one.
type class uint8

const (
	neutral class = iota
	benign
	malicious
)

// classOf prefers the analyst's verdict; without one, an escalation counts
// as malicious and an auto-closure as benign.
func classOf(disp alert.Disposition, fb alert.Verdict) class {
	switch fb {
	case alert.TruePositive:
		return malicious
	case alert.FalsePositive, alert.BenignPositive:
		return benign
	case alert.NeedsReview:
		return neutral
	}
	switch disp {
	case alert.Escalate:
		return malicious
	case alert.AutoClose:
		return benign
	}
	return neutral
}

// dispositions in the order EntityStats counts them; -1 is none.
func dispIndex(d alert.Disposition) int8 {
	switch d {
	case alert.Escalate:
		return 0
	case alert.Investigate:
		return 1
	case alert.Review:
		return 2
	case alert.AutoClose:
		return 3
	}
	return -1
}

func verdictIndex(v alert.Verdict) int8 {
	switch v {
	case alert.TruePositive:
		return 0
	case alert.FalsePositive:
		return 1
	case alert.BenignPositive:
		return 2
	}
	return -1
}

type tenant struct {
	entities map[key]*entity
	alerts   map[string]*record
	queue    []*record // arrival order; queue[head:] are live
	head     int
	now      time.Time // latest alert time seen
	first    time.Time // first alert ever recorded
	recorded int       // alerts ever recorded (warm-up)
	loc      *time.Location
}

type record struct {
	id    string
	time  time.Time
	disp  int8
	fb    alert.Verdict
	class class
	ents  []*entity
	rule  *entity
}

type entity struct {
	key
	first, last time.Time
	alerts      int32
	disp        [4]int32
	verdicts    [3]int32
	classes     [3]int32
	days        []dayBucket // ascending by local day
	peers       []peer
	rules       map[string]*pair // by rule value; not on rule entities
}

// dayBucket is one local calendar day of an entity's activity: its alert
// count and a bit per local hour in which it was active.
type dayBucket struct {
	day   int32
	n     int32
	hours uint32
}

type peer struct {
	value string
	count int32
	last  time.Time
}

// pair counts the alerts of one rule on one entity.
type pair struct {
	alerts  int32
	classes [3]int32
}

func (t *Tracker) tenant(name string) *tenant {
	tn := t.tenants[name]
	if tn == nil {
		tn = &tenant{entities: map[key]*entity{}, alerts: map[string]*record{}, loc: time.UTC}
		t.tenants[name] = tn
	}
	return tn
}

// localDay is the number of the calendar day of ts in loc since 1970-01-01.
func localDay(ts time.Time, loc *time.Location) int32 {
	_, off := ts.In(loc).Zone()
	s := ts.Unix() + int64(off)
	d := s / 86400
	if s < 0 && s%86400 != 0 {
		d--
	}
	return int32(d)
}

func (tn *tenant) cutoff(window time.Duration) time.Time { return tn.now.Add(-window) }

// advance moves the tenant's clock to ts, when later, and forgets what
// left the window.
func (t *Tracker) advance(tn *tenant, ts time.Time) {
	if !ts.After(tn.now) {
		return
	}
	tn.now = ts
	cut := tn.cutoff(t.cfg.Window)
	for tn.head < len(tn.queue) && tn.queue[tn.head].time.Before(cut) {
		r := tn.queue[tn.head]
		tn.queue[tn.head] = nil
		tn.head++
		tn.forget(r)
	}
	if tn.head > 64 && tn.head*2 > len(tn.queue) {
		n := copy(tn.queue, tn.queue[tn.head:])
		clear(tn.queue[n:])
		tn.queue = tn.queue[:n]
		tn.head = 0
	}
}

// forget removes an expired record's counts and drops entities no live
// record mentions any more.
func (tn *tenant) forget(r *record) {
	if tn.alerts[r.id] == r {
		delete(tn.alerts, r.id)
	}
	tn.count(r, -1)
	for _, e := range r.ents {
		if e.alerts <= 0 {
			delete(tn.entities, e.key)
		}
	}
}

// count adds (sign 1) or removes (sign -1) a record's contribution to the
// counters of its entities and rule pairs.
func (tn *tenant) count(r *record, sign int32) {
	vi := verdictIndex(r.fb)
	for _, e := range r.ents {
		e.alerts += sign
		if r.disp >= 0 {
			e.disp[r.disp] += sign
		}
		if vi >= 0 {
			e.verdicts[vi] += sign
		}
		e.classes[r.class] += sign
		if r.rule == nil || e == r.rule {
			continue
		}
		p := e.rules[r.rule.value]
		if p == nil {
			if e.rules == nil {
				e.rules = map[string]*pair{}
			}
			p = &pair{}
			e.rules[r.rule.value] = p
		}
		p.alerts += sign
		p.classes[r.class] += sign
		if p.alerts <= 0 {
			delete(e.rules, r.rule.value)
		}
	}
}

// Record adds the decided alert a, with its observables, to history. d may
// be nil for an alert without a decision. loc is the tenant's time zone
// (nil means UTC) and should be the same on every call for a tenant.
func (t *Tracker) Record(a *alert.Alert, obs []alert.Observable, d *alert.Decision, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	tn := t.tenant(a.Tenant)
	tn.loc = loc
	t.advance(tn, a.Time)
	if tn.recorded == 0 || a.Time.Before(tn.first) {
		tn.first = a.Time
	}
	tn.recorded++

	s := &t.scratch
	extract(s, a, obs)
	r := &record{id: a.ID, time: a.Time, disp: -1, ents: make([]*entity, 0, len(s.keys))}
	if d != nil {
		r.disp = dispIndex(d.Disposition)
		r.class = classOf(d.Disposition, "")
	}
	day := localDay(a.Time, loc)
	bit := uint32(1) << a.Time.In(loc).Hour()
	minDay := localDay(tn.cutoff(t.cfg.Window), loc)
	for _, k := range s.keys {
		e := tn.entities[k]
		if e == nil {
			e = &entity{key: k, first: a.Time, last: a.Time}
			tn.entities[k] = e
		}
		if a.Time.Before(e.first) {
			e.first = a.Time
		}
		if a.Time.After(e.last) {
			e.last = a.Time
		}
		e.addDay(day, bit, minDay)
		if k.kind != kindRule {
			for _, v := range s.dsts {
				if v != k.value {
					e.addPeer(v, a.Time, t.cfg.MaxPeers, tn.cutoff(t.cfg.Window))
				}
			}
		}
		r.ents = append(r.ents, e)
		if k.kind == kindRule {
			r.rule = e
		}
	}
	tn.count(r, 1)
	tn.queue = append(tn.queue, r)
	tn.alerts[r.id] = r
}

// addDay marks activity on a local day and hour, dropping buckets older
// than minDay.
func (e *entity) addDay(day int32, bit uint32, minDay int32) {
	i := 0
	for i < len(e.days) && e.days[i].day < minDay {
		i++
	}
	if i > 0 {
		e.days = append(e.days[:0], e.days[i:]...)
	}
	j, found := slices.BinarySearchFunc(e.days, day, func(b dayBucket, d int32) int { return int(b.day - d) })
	if !found {
		e.days = slices.Insert(e.days, j, dayBucket{day: day})
	}
	e.days[j].n++
	e.days[j].hours |= bit
}

// addPeer counts a destination. A full set first replaces a peer not seen
// in the window, else the least counted (ties: the oldest, then the
// greatest value), so the set stays bounded and deterministic.
func (e *entity) addPeer(v string, ts time.Time, maxPeers int, cut time.Time) {
	for i := range e.peers {
		if e.peers[i].value == v {
			e.peers[i].count++
			if ts.After(e.peers[i].last) {
				e.peers[i].last = ts
			}
			return
		}
	}
	if len(e.peers) < maxPeers {
		e.peers = append(e.peers, peer{value: v, count: 1, last: ts})
		return
	}
	victim := 0
	for i := 1; i < len(e.peers); i++ {
		if worsePeer(&e.peers[i], &e.peers[victim], cut) {
			victim = i
		}
	}
	e.peers[victim] = peer{value: v, count: 1, last: ts}
}

func worsePeer(a, b *peer, cut time.Time) bool {
	as, bs := a.last.Before(cut), b.last.Before(cut)
	if as != bs {
		return as
	}
	if a.count != b.count {
		return a.count < b.count
	}
	if !a.last.Equal(b.last) {
		return a.last.Before(b.last)
	}
	return strings.Compare(a.value, b.value) > 0
}

// Feedback records an analyst verdict for an earlier alert of tenant; later
// assessments count it instead of the engine's disposition. It reports
// whether the alert is still in history.
func (t *Tracker) Feedback(tenantName, alertID string, v alert.Verdict) bool {
	tn := t.tenants[tenantName]
	if tn == nil {
		return false
	}
	r := tn.alerts[alertID]
	if r == nil {
		return false
	}
	tn.count(r, -1)
	r.fb = v
	disp := alert.Disposition("")
	if r.disp >= 0 {
		disp = [4]alert.Disposition{alert.Escalate, alert.Investigate, alert.Review, alert.AutoClose}[r.disp]
	}
	r.class = classOf(disp, v)
	tn.count(r, 1)
	return true
}
