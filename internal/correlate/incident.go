package correlate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Timeline events.
const (
	EventAlertAdded    = "alert_added"
	EventKindDetected  = "kind_detected"
	EventRetroAttached = "retro_attached"
	EventReinvestigate = "reinvestigate"
	EventScoreRaised   = "score_raised"
	EventMerged        = "merged"
	EventLikelyAttack  = "likely_attack"
)

// incident is the mutable state behind an alert.Incident.
type incident struct {
	id         string
	tenant     string
	kinds      []string
	chain      bool     // kinds holds kill_chain
	burst      bool     // kinds holds burst
	members    []*rec   // sorted by time, then arrival
	ids        []string // member IDs, parallel to members
	keyCount   map[key]keyUse
	techniques []alert.Technique // in tactic order
	mask       uint16
	linkKeys   []key              // entities shared by two or more members, sorted
	linkObs    []alert.Observable // linkKeys as observables
	top        int                // the highest member score
	score      int
	scored     bool // score set at least once
	likely     bool
	unchecked  []*rec // members not yet checked for re-investigation
	reinvest   []string
	timeline   []alert.TimelineEntry
	pending    []key // entities of members not yet searched retrospectively
	retros     int   // alerts attached retrospectively
	live       int   // members not yet evicted
}

// keyUse is how many members of an incident have an entity, and whether
// retrospective reasoning has searched it.
type keyUse struct {
	n       int32
	scanned bool
}

// IncidentID is the stable ID of the incident whose first member is the
// given alert: "inc-" and the first 16 hex digits of
// sha256(tenant + "\x00" + alertID).
func IncidentID(tenant, alertID string) string {
	h := sha256.Sum256([]byte(tenant + "\x00" + alertID))
	return "inc-" + hex.EncodeToString(h[:8])
}

func (inc *incident) first() time.Time { return inc.members[0].time }

func (inc *incident) hasKind(k string) bool {
	switch k {
	case alert.IncidentKillChain:
		return inc.chain
	case alert.IncidentBurst:
		return inc.burst
	}
	return slices.Contains(inc.kinds, k)
}

// setKind records a kind; it reports false when the incident had it.
func (inc *incident) setKind(k string) bool {
	if inc.hasKind(k) {
		return false
	}
	inc.kinds = slices.Sorted(slices.Values(append(slices.Clone(inc.kinds), k)))
	inc.chain = inc.chain || k == alert.IncidentKillChain
	inc.burst = inc.burst || k == alert.IncidentBurst
	return true
}

func compareStrings(a, b string) int { return strings.Compare(a, b) }

// target returns the incident r joins: the oldest of the incidents it links
// (the others merged into it), else a new one named after the earliest of
// r and the loose alerts it links.
func (c *Correlator) target(t *tenant, r *rec, incs []*incident, loose []*rec, res *Result) *incident {
	slices.SortFunc(incs, func(a, b *incident) int {
		if c := a.first().Compare(b.first()); c != 0 {
			return c
		}
		return compareStrings(a.id, b.id)
	})
	limit := c.cfg.MaxIncidentAlerts - len(loose) - 1
	var dst *incident
	for _, inc := range incs {
		if len(inc.members) <= limit {
			dst = inc
			break
		}
		res.Reasons = append(res.Reasons, fmt.Sprintf("incident %s is full (%d alerts): alert %s goes to another", inc.id, len(inc.members), r.id))
	}
	if dst == nil {
		firstRec := r
		for _, p := range loose {
			if before(p, firstRec) {
				firstRec = p
			}
		}
		inc := &incident{
			id: IncidentID(t.name, firstRec.id), tenant: t.name,
			keyCount: map[key]keyUse{},
		}
		t.incidents[inc.id] = inc
		res.New = true
		return inc
	}
	for _, src := range incs {
		if src == dst || len(src.members) > limit {
			continue
		}
		if len(dst.members)+len(src.members) > limit {
			res.Reasons = append(res.Reasons, fmt.Sprintf("alert %s links incidents %s and %s, too large to merge", r.id, dst.id, src.id))
			continue
		}
		c.merge(t, dst, src, r)
		res.Reasons = append(res.Reasons, fmt.Sprintf("alert %s links incidents %s and %s: merged into %s", r.id, dst.id, src.id, dst.id))
	}
	return dst
}

// merge moves everything of src into dst and forgets src.
func (c *Correlator) merge(t *tenant, dst, src *incident, r *rec) {
	members := make([]*rec, 0, len(dst.members)+len(src.members))
	i, j := 0, 0
	for i < len(dst.members) || j < len(src.members) {
		if j == len(src.members) || (i < len(dst.members) && before(dst.members[i], src.members[j])) {
			members = append(members, dst.members[i])
			i++
		} else {
			src.members[j].inc = dst
			members = append(members, src.members[j])
			j++
		}
	}
	dst.members = members
	dst.ids = make([]string, len(members))
	for i, m := range members {
		dst.ids[i] = m.id
	}
	// Entities keep the order in which they came to link members: dst's
	// first, then src's, then those shared only through the merge, by key.
	became := map[key]bool{}
	for k, u := range src.keyCount {
		d := dst.keyCount[k]
		b, n := d.n, u.n
		dst.keyCount[k] = keyUse{b + n, d.scanned || u.scanned}
		if b < 2 && b+n >= 2 {
			became[k] = true
		}
	}
	keys := slices.Clone(dst.linkKeys)
	for _, k := range src.linkKeys {
		if became[k] {
			keys = append(keys, k)
			delete(became, k)
		}
	}
	fresh := slices.SortedFunc(maps.Keys(became), compareKeys)
	keys = append(keys, fresh...)
	dst.linkKeys = keys
	dst.linkObs = make([]alert.Observable, len(keys))
	for i, k := range keys {
		dst.linkObs[i] = k.observable()
	}
	dst.unchecked = append(dst.unchecked, src.unchecked...)
	dst.top = max(dst.top, src.top)
	for _, tech := range src.techniques {
		c.addTechnique(dst, tech)
	}
	dst.mask |= src.mask
	for _, k := range src.kinds {
		dst.setKind(k)
	}
	for _, id := range src.reinvest {
		if !slices.Contains(dst.reinvest, id) {
			dst.reinvest = append(dst.reinvest, id)
		}
	}
	dst.pending = append(dst.pending, src.pending...)
	dst.score = max(dst.score, src.score)
	dst.likely = dst.likely || src.likely
	dst.retros += src.retros
	dst.live += src.live
	dst.timeline = append(slices.Clone(dst.timeline), src.timeline...)
	slices.SortStableFunc(dst.timeline, func(a, b alert.TimelineEntry) int { return a.Time.Compare(b.Time) })
	dst.timeline = append(dst.timeline, alert.TimelineEntry{
		Time: r.time, AlertID: r.id, Event: EventMerged,
		Detail: fmt.Sprintf("incident %s merged into this one", src.id),
	})
	delete(t.incidents, src.id)
}

// addMember puts p into inc and records it on the timeline.
func (c *Correlator) addMember(inc *incident, p *rec, at time.Time, why string) {
	p.inc = inc
	inc.live++
	i := len(inc.members)
	for i > 0 && before(p, inc.members[i-1]) {
		i--
	}
	inc.members = slices.Insert(inc.members, i, p)
	inc.ids = insertCOW(inc.ids, i, p.id)
	inc.top = max(inc.top, p.score)
	if !p.retro {
		inc.unchecked = append(inc.unchecked, p)
	}
	for _, k := range p.keys {
		u := inc.keyCount[k]
		u.n++
		if u.n == 2 {
			inc.linkKeys = append(inc.linkKeys, k)
			inc.linkObs = append(inc.linkObs, k.observable())
		}
		if !p.retro && !u.scanned {
			u.scanned = true
			inc.pending = append(inc.pending, k)
		}
		inc.keyCount[k] = u
	}
	for _, tech := range p.techniques {
		c.addTechnique(inc, tech)
	}
	inc.mask |= p.mask
	event, detail := EventAlertAdded, why
	if p.retro {
		event = EventRetroAttached
	}
	inc.timeline = append(inc.timeline, alert.TimelineEntry{Time: at, AlertID: p.id, Event: event, Detail: detail})
}

// addTechnique inserts tech in tactic order (then ID) unless present.
func (c *Correlator) addTechnique(inc *incident, tech alert.Technique) {
	if slices.ContainsFunc(inc.techniques, func(x alert.Technique) bool { return x.ID == tech.ID }) {
		return
	}
	pos := c.techniqueOrder(tech)
	i, _ := slices.BinarySearchFunc(inc.techniques, tech, func(x, t alert.Technique) int {
		if d := c.techniqueOrder(x) - pos; d != 0 {
			return d
		}
		return compareStrings(x.ID, t.ID)
	})
	tech.Tactics = slices.Clone(tech.Tactics)
	inc.techniques = insertCOW(inc.techniques, i, tech)
}

// techniqueOrder is the kill-chain position of a technique's earliest
// tactic; techniques without a known tactic sort last.
func (c *Correlator) techniqueOrder(t alert.Technique) int {
	best := numTactics
	for _, tac := range t.Tactics {
		if o, ok := c.order[tac]; ok && o < best {
			best = o
		}
	}
	return best
}

func (c *Correlator) addKind(inc *incident, kind string, r *rec, detail string) {
	if !inc.setKind(kind) {
		return
	}
	inc.timeline = append(inc.timeline, alert.TimelineEntry{Time: r.time, AlertID: r.id, Event: EventKindDetected, Detail: kind + ": " + detail})
}

// rescore sets the incident score: the highest member score, plus the
// kill-chain bonus for a kill chain, at most 100. A rise is recorded.
func (c *Correlator) rescore(inc *incident, r *rec) {
	s := float64(inc.top)
	if inc.hasKind(alert.IncidentKillChain) {
		s += c.w.chainBonus(bits.OnesCount16(inc.mask))
	}
	score := int(math.Round(min(max(s, 0), 100)))
	if score > inc.score && inc.scored {
		inc.timeline = append(inc.timeline, alert.TimelineEntry{
			Time: r.time, AlertID: r.id, Event: EventScoreRaised,
			Detail: fmt.Sprintf("score %d -> %d", inc.score, score),
		})
	}
	inc.score = score
	inc.scored = true
}

// needsReview reports whether a member was closed without a human looking:
// auto-closed or judged false positive, unless an analyst said otherwise.
func needsReview(m *rec) bool {
	if m.feedback != "" {
		return m.feedback == alert.FalsePositive
	}
	return m.disposition == alert.AutoClose || m.verdict == alert.FalsePositive
}

// likelyBecause names why the incident is a confirmed or likely attack, or
// returns "" when it is not (yet).
func (c *Correlator) likelyBecause(inc *incident) string {
	if inc.score >= c.cfg.Investigate {
		return fmt.Sprintf("incident score %d reaches the investigate threshold %d", inc.score, c.cfg.Investigate)
	}
	for _, m := range inc.members {
		switch {
		case m.feedback == alert.TruePositive:
			return fmt.Sprintf("an analyst confirmed alert %s as a true positive", m.id)
		case m.feedback == "" && (m.disposition == alert.Escalate || m.disposition == alert.Investigate):
			return fmt.Sprintf("alert %s is to %s", m.id, m.disposition)
		case m.feedback == "" && m.verdict == alert.TruePositive:
			return fmt.Sprintf("alert %s is a true positive", m.id)
		}
	}
	return ""
}

// judge makes the incident a likely attack when its members warrant it and
// then reasons retrospectively: members that were closed unseen are
// flagged, and closed alerts on the incident's entities within the
// look-back window are attached and flagged. r is the alert being decided:
// it is never flagged itself.
func (c *Correlator) judge(t *tenant, inc *incident, r *rec, res *Result) {
	// Feedback has no current alert: its events are dated at the
	// incident's latest member, never by the wall clock.
	at, atID := inc.members[len(inc.members)-1].time, ""
	if r != nil {
		at, atID = r.time, r.id
	}
	if !inc.likely {
		why := c.likelyBecause(inc)
		if why == "" {
			return
		}
		inc.likely = true
		inc.timeline = append(inc.timeline, alert.TimelineEntry{Time: at, AlertID: atID, Event: EventLikelyAttack, Detail: why})
		res.Reasons = append(res.Reasons, fmt.Sprintf("incident %s is a likely attack: %s", inc.id, why))
		inc.unchecked = append(inc.unchecked[:0], inc.members...)
	}
	for _, m := range inc.unchecked {
		if m != r && !m.flagged && needsReview(m) {
			c.flag(inc, m, at, sharedKey(m, inc, 2), res)
		}
	}
	inc.unchecked = inc.unchecked[:0]
	if len(inc.pending) == 0 {
		return
	}
	from, atNanos := nanos(at)-int64(c.cfg.Lookback), nanos(at)
	need := c.cfg.RetroLimit - inc.retros
	var found []*rec
	for _, k := range inc.pending {
		e := t.entities[k]
		if need <= 0 || e == nil || c.ubiquitous(e, from) {
			continue
		}
		// Newest first: no entity can add more than need alerts.
		n := 0
		for i := len(e.recs) - 1; i >= 0 && n < need; i-- {
			if e.times[i] < from {
				break
			}
			p := e.recs[i]
			if p.inc == nil && p != r && p.ts <= atNanos && needsReview(p) && !slices.Contains(found, p) {
				found = append(found, p)
				n++
			}
		}
	}
	inc.pending = inc.pending[:0]
	slices.SortFunc(found, func(a, b *rec) int {
		if before(a, b) {
			return 1
		}
		return -1
	})
	found = found[:min(len(found), max(need, 0))]
	slices.Reverse(found)
	for _, p := range found {
		p.retro = true
		inc.retros++
		shared := sharedKey(p, inc, 1)
		c.addMember(inc, p, at, fmt.Sprintf("shares %s; closed as %s", shared, closedAs(p)))
		c.flag(inc, p, at, shared, res)
	}
}

// flag lists m for re-investigation, naming the entity it shares with the
// incident.
func (c *Correlator) flag(inc *incident, m *rec, at time.Time, shared key, res *Result) {
	why := fmt.Sprintf("alert %s of %s was closed as %s and shares %s with incident %s",
		m.id, m.time.UTC().Format(time.RFC3339), closedAs(m), shared, inc.id)
	m.flagged = true
	inc.reinvest = append(inc.reinvest, m.id)
	res.Reinvestigate = append(res.Reinvestigate, m.id)
	inc.timeline = append(inc.timeline, alert.TimelineEntry{Time: at, AlertID: m.id, Event: EventReinvestigate, Detail: why})
	res.Reasons = append(res.Reasons, "re-investigate: "+why+", now a likely attack")
}

func closedAs(m *rec) string {
	switch {
	case m.feedback != "":
		return string(m.feedback) + " by an analyst"
	case m.disposition == alert.AutoClose:
		return string(alert.AutoClose)
	}
	return string(m.verdict)
}

// sharedKey names the first entity of p that at least n members of the
// incident have (n counts p itself when it is a member).
func sharedKey(p *rec, inc *incident, n int) key {
	for _, k := range p.keys {
		if int(inc.keyCount[k].n) >= n {
			return k
		}
	}
	return key{}
}

// tacticPath names the tactics of a mask in kill-chain order.
func (c *Correlator) tacticPath(mask uint16) string {
	var names []string
	for m := mask; m != 0; m &= m - 1 {
		names = append(names, c.tactic[bits.TrailingZeros16(m)])
	}
	return strings.Join(names, " -> ")
}

func joinIDs(ms []*rec, limit int) string {
	ids := make([]string, 0, min(len(ms), limit))
	for _, m := range ms[:min(len(ms), limit)] {
		ids = append(ids, m.id)
	}
	s := strings.Join(ids, ", ")
	if len(ms) > limit {
		s += fmt.Sprintf(" and %d more", len(ms)-limit)
	}
	return s
}

// snapshot copies the incident into the public model; later changes never
// reach the copy. To keep a call cheap on a large incident, the copy shares
// arrays that the correlator only ever appends to or replaces (copy on
// write), so a snapshot's slices must be treated as read-only.
func (c *Correlator) snapshot(inc *incident) *alert.Incident {
	if inc == nil {
		return nil
	}
	ents := inc.linkObs[:len(inc.linkObs):len(inc.linkObs)]
	if ents == nil {
		ents = []alert.Observable{}
	}
	return &alert.Incident{
		ID: inc.id, Tenant: inc.tenant, Title: c.title(inc),
		Kinds: inc.kinds[:len(inc.kinds):len(inc.kinds)], Status: alert.IncidentOpen,
		Score: inc.score, Priority: c.priority(inc),
		First: inc.members[0].time, Last: inc.members[len(inc.members)-1].time,
		Alerts:        inc.ids[:len(inc.ids):len(inc.ids)],
		Entities:      ents,
		Techniques:    inc.techniques[:len(inc.techniques):len(inc.techniques)],
		Reinvestigate: inc.reinvest[:len(inc.reinvest):len(inc.reinvest)],
		Timeline:      inc.timeline[:len(inc.timeline):len(inc.timeline)],
	}
}

// insertCOW inserts v at i. An insertion before the end copies the slice
// first, so that a snapshot sharing the old array never sees a change;
// an append only writes beyond every snapshot's length.
func insertCOW[T any](s []T, i int, v T) []T {
	if i == len(s) {
		return append(s, v)
	}
	out := make([]T, 0, len(s)+1+len(s)/4)
	out = append(out, s[:i]...)
	out = append(out, v)
	return append(out, s[i:]...)
}

// linking returns the entities shared by two or more members, in the order
// they came to be shared.
func (c *Correlator) linking(inc *incident) []key { return inc.linkKeys }

func (c *Correlator) title(inc *incident) string {
	var parts []string
	if inc.hasKind(alert.IncidentKillChain) {
		parts = append(parts, "Kill-chain progression "+c.tacticPath(inc.mask))
	}
	if inc.hasKind(alert.IncidentBurst) {
		parts = append(parts, fmt.Sprintf("Alert burst (%d alerts)", len(inc.members)))
	}
	s := strings.Join(parts, " with ")
	for _, k := range c.linking(inc) {
		if k.burst() {
			return s + " on " + k.String()
		}
	}
	return s
}

// priority rates the incident by its score: above Escalate P1, from
// Investigate P2, from half of Investigate P3, else P4.
func (c *Correlator) priority(inc *incident) alert.Priority {
	switch {
	case inc.score > c.cfg.Escalate:
		return alert.P1
	case inc.score >= c.cfg.Investigate:
		return alert.P2
	case inc.score >= c.cfg.Investigate/2:
		return alert.P3
	}
	return alert.P4
}
