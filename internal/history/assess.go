package history

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Factor names produced by Assess, in the order they are emitted.
const (
	FactorNovelty           = "novelty"
	FactorBaselineDeviation = "baseline_deviation"
	FactorSimilarBenign     = "similar_closed_benign"
	FactorSimilarMalicious  = "similar_confirmed_malicious"
)

// maxEvidence caps the values one piece of evidence lists.
const maxEvidence = 3

const (
	dayLayout        = "2006-01-02"
	noHistorySummary = "history: first alert of this tenant"
	warmUpSuffix     = " (tenant still warming up: novelty not scored)"
)

// Assessment is what history says about one alert.
type Assessment struct {
	// Factors are the score contributions, in the order of the Factor*
	// constants, each with a detail naming its evidence.
	Factors []alert.Factor `json:"factors"`
	// Summary is one sentence for the decision's reasoning.
	Summary string `json:"summary"`
	// Entities are the alert's entities as history knew them before it,
	// by kind (host, user, ip, rule) and value.
	Entities []EntityStats `json:"entities"`
}

// EntityStats is what history holds about one entity within the window.
type EntityStats struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	// Seen is false for an entity not in history; the other fields are
	// then zero.
	Seen      bool      `json:"seen"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Alerts counts the entity's alerts in the window, by the engine's
	// disposition.
	Alerts       int `json:"alerts"`
	Escalated    int `json:"escalated"`
	Investigated int `json:"investigated"`
	Reviewed     int `json:"reviewed"`
	AutoClosed   int `json:"auto_closed"`
	// Analyst verdicts received as feedback on those alerts.
	TruePositives   int `json:"true_positives"`
	FalsePositives  int `json:"false_positives"`
	BenignPositives int `json:"benign_positives"`
	// ActiveDays counts local days with activity; Hours[h] counts the
	// active days on which the entity was active during local hour h.
	ActiveDays int     `json:"active_days"`
	Hours      [24]int `json:"hours"`
	// Peers are the destinations a host, user or IP reached, most counted
	// first. Entity fills them; Assess leaves them out, to keep the
	// per-alert path cheap.
	Peers []PeerStats `json:"peers,omitempty"`
}

// PeerStats is one destination of a source entity.
type PeerStats struct {
	Value    string    `json:"value"`
	Count    int       `json:"count"`
	LastSeen time.Time `json:"last_seen"`
}

// Assess returns the history factors for alert a, with its observables,
// from the history recorded before it, plus a summary and the entities'
// statistics. loc is the tenant's time zone (nil means UTC). Assess does
// not record a; it only forgets what left the window as of a.Time, exactly
// as recording a would.
func (t *Tracker) Assess(a *alert.Alert, obs []alert.Observable, loc *time.Location) Assessment {
	if loc == nil {
		loc = time.UTC
	}
	s := &t.scratch
	extract(s, a, obs)
	tn := t.tenants[a.Tenant]
	out := Assessment{Factors: []alert.Factor{}, Entities: make([]EntityStats, 0, len(s.keys))}
	if tn == nil {
		for _, k := range s.keys {
			out.Entities = append(out.Entities, EntityStats{Kind: k.kind.String(), Value: k.value})
		}
		out.Summary = noHistorySummary
		return out
	}
	t.advance(tn, a.Time)
	cut := tn.cutoff(t.cfg.Window)
	minDay := localDay(cut, loc)

	ents := t.scratchEnts[:0]
	for range s.keys {
		ents = append(ents, nil)
	}
	t.scratchEnts = ents
	var rule *entity
	for i, k := range s.keys {
		ents[i] = tn.entities[k]
		if k.kind == kindRule {
			rule = ents[i]
		}
		out.Entities = append(out.Entities, t.stats(k, ents[i], minDay, cut, false))
	}
	warm := tn.recorded >= t.cfg.WarmUpAlerts && a.Time.Sub(tn.first) >= t.cfg.WarmUpPeriod
	if warm {
		if f, ok := t.novelty(s.keys, ents); ok {
			out.Factors = append(out.Factors, f)
		}
	}
	deviates := false
	if f, ok := t.deviation(a, s, ents, out.Entities, loc, cut); ok {
		out.Factors = append(out.Factors, f)
		deviates = true
	}
	// An alert that deviates from its entities' baseline is not the
	// pattern that was closed before, however often that was.
	if f, ok := t.similarBenign(rule, ents); ok && !deviates {
		out.Factors = append(out.Factors, f)
	}
	if f, ok := t.similarMalicious(rule, ents); ok {
		out.Factors = append(out.Factors, f)
	}
	out.Summary = summary(out.Entities, warm)
	return out
}

// Entity returns what history holds about one entity of a tenant; kind is
// one of the Kind* constants and value is matched case-insensitively.
func (t *Tracker) Entity(tenantName, kindName, value string) (EntityStats, bool) {
	tn := t.tenants[tenantName]
	k, ok := parseKind(kindName)
	if tn == nil || !ok {
		return EntityStats{}, false
	}
	e := tn.entities[key{k, canon(value)}]
	if e == nil {
		return EntityStats{}, false
	}
	cut := tn.cutoff(t.cfg.Window)
	return t.stats(e.key, e, localDay(cut, tn.loc), cut, true), true
}

// stats summarises e; the peer list, sorted, is only built withPeers, as
// the per-alert path reads the peers directly.
func (t *Tracker) stats(k key, e *entity, minDay int32, cut time.Time, withPeers bool) EntityStats {
	st := EntityStats{Kind: k.kind.String(), Value: k.value}
	if e == nil {
		return st
	}
	st.Seen = true
	st.FirstSeen, st.LastSeen = e.first, e.last
	st.Alerts = int(e.alerts)
	st.Escalated, st.Investigated, st.Reviewed, st.AutoClosed = int(e.disp[0]), int(e.disp[1]), int(e.disp[2]), int(e.disp[3])
	st.TruePositives, st.FalsePositives, st.BenignPositives = int(e.verdicts[0]), int(e.verdicts[1]), int(e.verdicts[2])
	for _, b := range e.days {
		if b.day < minDay {
			continue
		}
		st.ActiveDays++
		for h := b.hours; h != 0; h &= h - 1 {
			st.Hours[bits.TrailingZeros32(h)]++
		}
	}
	if !withPeers {
		return st
	}
	for _, p := range e.peers {
		if !p.last.Before(cut) {
			st.Peers = append(st.Peers, PeerStats{Value: p.value, Count: int(p.count), LastSeen: p.last})
		}
	}
	slices.SortFunc(st.Peers, func(a, b PeerStats) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return st
}

// round1 rounds to one decimal place, as the score stage does.
func round1(v float64) float64 { return math.Round(v*10) / 10 }

func (t *Tracker) novelty(keys []key, ents []*entity) (alert.Factor, bool) {
	var sum float64
	var names []string
	for i, k := range keys {
		if ents[i] != nil || t.w.novelty[k.kind] == 0 {
			continue
		}
		sum += t.w.novelty[k.kind]
		names = append(names, k.kind.String()+" "+k.value)
	}
	c := round1(min(sum, t.w.noveltyCap))
	if c == 0 {
		return alert.Factor{}, false
	}
	days := int(t.cfg.Window / (24 * time.Hour))
	return alert.Factor{
		Name:         FactorNovelty,
		Contribution: c,
		Detail:       fmt.Sprintf("never seen in the tenant's last %d days: %s", days, strings.Join(names, ", ")),
	}, true
}

func (t *Tracker) deviation(a *alert.Alert, s *subjects, ents []*entity, stats []EntityStats, loc *time.Location, cut time.Time) (alert.Factor, bool) {
	var sum float64
	var ev []string
	local := a.Time.In(loc)
	h := local.Hour()
	tol := t.w.hourTolerance
	for i, e := range ents {
		if e == nil || e.kind == kindRule {
			continue
		}
		st := &stats[i]
		if st.ActiveDays < t.w.minActiveDays {
			continue
		}
		near := 0
		for d := -tol; d <= tol; d++ {
			near += st.Hours[(h+d+24)%24]
		}
		if near > 0 {
			continue
		}
		sum += t.w.unusualHour
		ev = append(ev, fmt.Sprintf("%s %s active at %s, never within %d h of that hour on its %d active days (usual hours %s)",
			e.kind, e.value, local.Format("15:04 MST"), tol, st.ActiveDays, usualHours(&st.Hours)))
	}
	if len(s.dsts) > 0 {
		for _, e := range ents {
			if e == nil || e.kind == kindRule {
				continue
			}
			seen, live := 0, 0
			for j := range e.peers {
				if p := &e.peers[j]; !p.last.Before(cut) {
					seen += int(p.count)
					live++
				}
			}
			if seen < t.w.minPeerObs || live > t.w.maxStable {
				continue
			}
			var fresh []string
			for _, v := range s.dsts {
				if v != e.value && !e.hasPeer(v, cut) {
					fresh = append(fresh, v)
				}
			}
			if len(fresh) == 0 {
				continue
			}
			sum += t.w.newPeer
			usual := t.stats(e.key, e, 0, cut, true).Peers
			names := make([]string, len(usual))
			for j, p := range usual {
				names[j] = p.Value
			}
			ev = append(ev, fmt.Sprintf("%s %s reached new %s, its %d earlier connections went only to %s",
				e.kind, e.value, capList(fresh), seen, strings.Join(names, ", ")))
		}
	}
	c := round1(min(sum, t.w.deviationCap))
	if c == 0 {
		return alert.Factor{}, false
	}
	return alert.Factor{Name: FactorBaselineDeviation, Contribution: c, Detail: strings.Join(ev, "; ")}, true
}

// capList joins at most maxEvidence values and says how many more there are.
func capList(vs []string) string {
	if len(vs) <= maxEvidence {
		return strings.Join(vs, ", ")
	}
	return strings.Join(vs[:maxEvidence], ", ") + fmt.Sprintf(" and %d more", len(vs)-maxEvidence)
}

// usualHours renders the hours of activity as ranges, "21:00-23:59".
func usualHours(hours *[24]int) string {
	var parts []string
	for h := 0; h < 24; {
		if hours[h] == 0 {
			h++
			continue
		}
		end := h
		for end+1 < 24 && hours[end+1] > 0 {
			end++
		}
		parts = append(parts, fmt.Sprintf("%02d:00-%02d:59", h, end))
		h = end + 1
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func (t *Tracker) similarBenign(rule *entity, ents []*entity) (alert.Factor, bool) {
	if rule == nil {
		return alert.Factor{}, false
	}
	best, bestN := (*entity)(nil), int32(0)
	for _, e := range ents {
		if e == nil || e.kind == kindRule {
			continue
		}
		p := e.rules[rule.value]
		if p == nil || p.classes[malicious] > 0 {
			continue
		}
		if n := p.classes[benign]; n >= int32(t.w.benignMin) && n > bestN {
			best, bestN = e, n
		}
	}
	if best == nil {
		return alert.Factor{}, false
	}
	c := t.w.benignBase + t.w.benignExtra*float64(int(bestN)-t.w.benignMin)
	c = round1(max(c, t.w.benignCap))
	if c == 0 {
		return alert.Factor{}, false
	}
	days := int(t.cfg.Window / (24 * time.Hour))
	return alert.Factor{
		Name:         FactorSimilarBenign,
		Contribution: c,
		Detail: fmt.Sprintf("rule %s on %s %s was auto-closed or judged benign %d times in the last %d days and never confirmed malicious",
			rule.value, best.kind, best.value, bestN, days),
	}, true
}

func (t *Tracker) similarMalicious(rule *entity, ents []*entity) (alert.Factor, bool) {
	minN := int32(t.w.maliciousMin)
	// The strongest match wins; its detail is formatted once, at the end.
	var weight float64
	var best *entity
	var bestN int32
	pairMatch := false
	consider := func(w float64, e *entity, n int32, pair bool) {
		if w > weight {
			weight, best, bestN, pairMatch = w, e, n, pair
		}
	}
	for _, e := range ents {
		if e == nil || e.kind == kindRule {
			continue
		}
		if rule != nil {
			if p := e.rules[rule.value]; p != nil && p.classes[malicious] >= minN {
				consider(t.w.maliciousPair, e, p.classes[malicious], true)
			}
		}
		if n := e.classes[malicious]; n >= minN {
			consider(t.w.maliciousEnt, e, n, false)
		}
	}
	if rule != nil && rule.classes[malicious] >= minN {
		consider(t.w.maliciousRule, rule, rule.classes[malicious], false)
	}
	c := round1(weight)
	if c == 0 {
		return alert.Factor{}, false
	}
	days := int(t.cfg.Window / (24 * time.Hour))
	var detail string
	switch {
	case pairMatch:
		detail = fmt.Sprintf("rule %s on %s %s was escalated or confirmed malicious %d times in the last %d days",
			rule.value, best.kind, best.value, bestN, days)
	case best.kind == kindRule:
		detail = fmt.Sprintf("rule %s was escalated or confirmed malicious %d times in the last %d days",
			best.value, bestN, days)
	default:
		detail = fmt.Sprintf("%s %s had %d alerts escalated or confirmed malicious in the last %d days",
			best.kind, best.value, bestN, days)
	}
	return alert.Factor{Name: FactorSimilarMalicious, Contribution: c, Detail: detail}, true
}

// summary is one sentence on the entities' history for the reasoning.
func summary(stats []EntityStats, warm bool) string {
	b := make([]byte, 0, 64+96*len(stats))
	b = append(b, "history: "...)
	for i := range stats {
		st := &stats[i]
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, st.Kind...)
		b = append(b, ' ')
		b = append(b, st.Value...)
		if !st.Seen {
			b = append(b, " never seen"...)
			continue
		}
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(st.Alerts), 10)
		b = append(b, " alerts since "...)
		b = st.FirstSeen.UTC().AppendFormat(b, dayLayout)
		b = append(b, " ("...)
		b = strconv.AppendInt(b, int64(st.Escalated), 10)
		b = append(b, " escalated, "...)
		b = strconv.AppendInt(b, int64(st.AutoClosed), 10)
		b = append(b, " auto-closed"...)
		if n := st.FalsePositives + st.BenignPositives; n > 0 {
			b = append(b, ", "...)
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, " judged benign by an analyst"...)
		}
		if st.TruePositives > 0 {
			b = append(b, ", "...)
			b = strconv.AppendInt(b, int64(st.TruePositives), 10)
			b = append(b, " confirmed malicious"...)
		}
		b = append(b, ')')
	}
	if len(stats) == 0 {
		b = append(b, "no entities"...)
	}
	if !warm {
		b = append(b, warmUpSuffix...)
	}
	return string(b)
}

func (e *entity) hasPeer(v string, cut time.Time) bool {
	for i := range e.peers {
		if e.peers[i].value == v {
			return !e.peers[i].last.Before(cut)
		}
	}
	return false
}
