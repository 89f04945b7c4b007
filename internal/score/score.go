package score

import (
	"math"
	"strconv"

	"github.com/winnow-soc/winnow/alert"
)

// Factor names: stable snake_case, part of the output contract.
const (
	FactorBase                = "base"
	FactorSourceSeverity      = "source_severity"
	FactorIOCReputation       = "ioc_reputation"
	FactorKnownBenign         = "known_benign"
	FactorAssetCriticality    = "asset_criticality"
	FactorUserCriticality     = "user_criticality"
	FactorAttackStage         = "attack_stage"
	FactorTechniquePrevalence = "technique_prevalence"
	FactorOffHours            = "off_hours"
)

// AssetContext is what is known about the most critical asset involved.
type AssetContext struct {
	Name string
	// Criticality is "", "low", "medium", "high" or "critical".
	Criticality string
	Tags        []string
}

// UserContext is what is known about the most critical identity involved.
type UserContext struct {
	Name string
	VIP  bool
	// Role is "", "user", "admin", "service" or "executive".
	Role string
}

// TechniqueInfo is a mapped ATT&CK technique with the facts scoring needs.
type TechniqueInfo struct {
	alert.Technique
	// Groups is the number of known groups that use the technique.
	Groups int
	// TacticOrder is the 0-based kill-chain index of its latest tactic, -1 unknown.
	TacticOrder int
}

// Input is everything the score of one alert depends on.
type Input struct {
	Alert *alert.Alert
	// Observables carry the Findings filled by enrichment.
	Observables []alert.Observable
	Techniques  []TechniqueInfo
	Asset       AssetContext
	User        UserContext
	OffHours    bool
	// LocalTime is the alert time in the tenant's zone, for the detail
	// ("02:47 Europe/Paris Sat").
	LocalTime string
}

// Result is an explainable score: Score == clamp(round(sum of
// Factors[i].Contribution), 0, 100).
type Result struct {
	Score    int
	Category string
	Factors  []alert.Factor
}

// Score computes the explainable score of one alert. It is pure and
// deterministic: the same input and weights version give the same Result.
func (w *Weights) Score(in *Input) Result {
	cat := w.category(in.Alert, in.Techniques, in.Observables)
	// All details are written into one buffer and become one string, so a
	// score costs two allocations whatever the number of factors.
	var arr [1024]byte
	b := arr[:0]
	var d details

	d.from = len(b)
	b = append(b, "baseline for every alert"...)
	b = d.add(b, FactorBase, w.base, false)
	if a := in.Alert; a != nil {
		if r := a.Severity.Rank(); r > 0 && w.severity[r] != 0 {
			d.from = len(b)
			b = append(b, "source rated the alert "...)
			b = append(b, a.Severity...)
			if a.SourceSeverity != "" {
				b = append(b, " ("...)
				b = append(b, a.SourceSeverity...)
				b = append(b, ')')
			}
			b = d.add(b, FactorSourceSeverity, w.severity[r], false)
		}
	}
	d.from = len(b)
	var v float64
	b, v = w.reputation(b, in.Observables, cat)
	b = d.add(b, FactorIOCReputation, v, false)
	d.from = len(b)
	var ok bool
	b, v, ok = w.knownBenign(b, in.Observables)
	b = d.add(b, FactorKnownBenign, v, ok)
	if v := w.asset[in.Asset.Criticality]; v != 0 {
		d.from = len(b)
		if in.Asset.Name == "" {
			b = append(b, "the asset"...)
		}
		b = append(b, in.Asset.Name...)
		b = append(b, " has "...)
		b = append(b, in.Asset.Criticality...)
		b = append(b, " criticality"...)
		b = d.add(b, FactorAssetCriticality, v, false)
	}
	d.from = len(b)
	b, v = w.user(b, in.User)
	b = d.add(b, FactorUserCriticality, v, false)
	d.from = len(b)
	b, v = w.stage(b, in.Techniques)
	b = d.add(b, FactorAttackStage, v, false)
	d.from = len(b)
	b, v = w.prevalent(b, in.Techniques)
	b = d.add(b, FactorTechniquePrevalence, v, false)
	if in.OffHours && w.offHours != 0 {
		d.from = len(b)
		b = append(b, "outside business hours"...)
		if in.LocalTime != "" {
			b = append(b, " ("...)
			b = append(b, in.LocalTime...)
			b = append(b, ')')
		}
		b = d.add(b, FactorOffHours, w.offHours, false)
	}

	res := Result{Category: cat.name, Factors: make([]alert.Factor, d.n)}
	all := string(b)
	for i := range d.n {
		p := &d.pending[i]
		res.Factors[i] = alert.Factor{Name: p.name, Contribution: p.v, Detail: all[p.from:p.to]}
	}
	res.Score = Total(res.Factors)
	return res
}

// details collects the factors of one score; their details are written
// back to back into one buffer that stays a separate variable, so escape
// analysis can keep it on the stack.
type details struct {
	from    int
	n       int
	pending [9]struct {
		name     string
		v        float64
		from, to int
	}
}

// add keeps the factor written since start if its rounded contribution is
// not zero or it is informative, and drops its detail otherwise.
func (d *details) add(b []byte, name string, v float64, informative bool) []byte {
	v = round1(v)
	if (v == 0 && !informative) || d.n == len(d.pending) {
		return b[:d.from]
	}
	p := &d.pending[d.n]
	p.name, p.v, p.from, p.to = name, v, d.from, len(b)
	d.n++
	return b
}

// Total is clamp(round(sum of contributions), 0, 100), the score's invariant.
func Total(factors []alert.Factor) int {
	var sum float64
	for _, f := range factors {
		sum += f.Contribution
	}
	return int(math.Max(0, math.Min(100, math.Round(sum))))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// contextOnly reports observables that carry facts but no risk of their own.
func contextOnly(o *alert.Observable) bool {
	switch o.Class {
	case "private", "loopback", "reserved":
		return true
	}
	return false
}

const maxTop = 8

// ranked keeps the indices of the largest values, largest first; ties keep
// the earlier index first so the order is deterministic.
type ranked struct {
	n     int
	total int
	idx   [maxTop]int
	val   [maxTop]float64
}

func (r *ranked) add(i int, v float64) {
	r.total++
	pos := r.n
	for pos > 0 && r.val[pos-1] < v {
		pos--
	}
	if pos >= maxTop {
		return
	}
	end := min(r.n, maxTop-1)
	copy(r.idx[pos+1:end+1], r.idx[pos:end])
	copy(r.val[pos+1:end+1], r.val[pos:end])
	r.idx[pos], r.val[pos] = i, v
	if r.n < maxTop {
		r.n++
	}
}

// sum adds the values with diminishing returns: each further one is
// multiplied by decay once more.
func (r *ranked) sum(decay float64) float64 {
	s, m := 0.0, 1.0
	for i := 0; i < r.n; i++ {
		s += r.val[i] * m
		m *= decay
	}
	return s
}

func (w *Weights) findingStrength(f *alert.Finding) float64 {
	var v float64
	switch f.Reputation {
	case alert.Malicious:
		v = w.malicious
	case alert.Suspicious:
		v = w.suspicious
	default:
		return 0
	}
	rel := w.unknownRel
	if len(f.Reliability) == 1 {
		if c := f.Reliability[0] | 0x20; 'a' <= c && c <= 'f' {
			rel = w.reliability[c-'a']
		}
	}
	conf := float64(f.Confidence)
	if conf <= 0 {
		conf = w.unknownConf
	}
	conf = min(conf, 100)
	return v * rel * (0.5 + 0.5*conf/100)
}

// reputation is the ioc_reputation factor: malicious and suspicious findings
// weighted by reliability and confidence, corroboration with diminishing
// returns, scaled by the category's weight for the observable kind.
func (w *Weights) reputation(b []byte, obs []alert.Observable, cat *category) ([]byte, float64) {
	var per ranked
	for i := range obs {
		if v, _, _ := w.observableValue(&obs[i], cat); v > 0 {
			per.add(i, v)
		}
	}
	if per.n == 0 {
		return b, 0
	}
	v := min(per.sum(w.obsDecay), w.reputationCap)
	shown := min(per.n, 2)
	for k := 0; k < shown; k++ {
		if k > 0 {
			b = append(b, "; "...)
		}
		o := &obs[per.idx[k]]
		_, fr, conflict := w.observableValue(o, cat)
		b = append(b, o.Value...)
		b = append(b, ": "...)
		for m := 0; m < min(fr.n, 2); m++ {
			if m > 0 {
				b = append(b, " and "...)
			}
			b = appendFinding(b, &o.Findings[fr.idx[m]])
		}
		if more := fr.total - min(fr.n, 2); more > 0 {
			b = append(b, " (+"...)
			b = strconv.AppendInt(b, int64(more), 10)
			b = append(b, " more sources)"...)
		}
		if conflict {
			b = append(b, ", discounted as also on a warning list"...)
		}
	}
	if more := per.total - shown; more > 0 {
		b = append(b, "; +"...)
		b = strconv.AppendInt(b, int64(more), 10)
		b = append(b, " more observables"...)
	}
	b = append(b, " ["...)
	b = append(b, cat.name...)
	b = append(b, " weights]"...)
	return b, v
}

// observableValue is one observable's reputation evidence: its findings
// ranked by strength, summed with diminishing returns, scaled by the kind
// weight and discounted when a warning list also names it as benign.
// Context-only observables are worth nothing.
func (w *Weights) observableValue(o *alert.Observable, cat *category) (float64, ranked, bool) {
	var fr ranked
	if contextOnly(o) {
		return 0, fr, false
	}
	benign := false
	for j := range o.Findings {
		if o.Findings[j].Reputation == alert.Benign {
			benign = true
		}
		if s := w.findingStrength(&o.Findings[j]); s > 0 {
			fr.add(j, s)
		}
	}
	if fr.n == 0 {
		return 0, fr, false
	}
	v := fr.sum(w.corroboration) * cat.kind[kindOf(o.Type)]
	if benign {
		v *= w.benignConflict
	}
	return v, fr, benign
}

const maxDetail = 80

// appendFinding writes one finding as "what (source, reliability X)".
func appendFinding(b []byte, f *alert.Finding) []byte {
	d := f.Detail
	if d == "" {
		d = string(f.Reputation)
	}
	if len(d) > maxDetail {
		d = d[:maxDetail] + "..."
	}
	b = append(b, d...)
	if f.Family != "" && !containsFold(d, f.Family) {
		b = append(b, ", family "...)
		b = append(b, f.Family...)
	}
	b = append(b, " ("...)
	b = append(b, f.Source...)
	if f.Reliability != "" {
		b = append(b, ", reliability "...)
		b = append(b, f.Reliability...)
	}
	return append(b, ')')
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		ok := true
		for j := 0; j < len(sub) && ok; j++ {
			ok = s[i+j]|0x20 == sub[j]|0x20
		}
		if ok {
			return true
		}
	}
	return false
}
