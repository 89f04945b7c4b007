package classify

import (
	"errors"
	"fmt"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/score"
)

// Thresholds are a tenant's score cut-offs. A score above Escalate is
// escalated; from Investigate up to Escalate it is investigated; from Review
// below Investigate it is reviewed; below Review it is auto-closed, except in
// semi-autonomous mode where only scores below AutoCloseBelow are
// auto-closed and the rest are reviewed.
type Thresholds struct {
	Escalate, Investigate, Review, AutoCloseBelow int
}

// DefaultThresholds are the shipped cut-offs: escalate > 75, investigate
// 50-75, review 25-49, auto-close < 25 (< 15 in semi-autonomous mode).
func DefaultThresholds() Thresholds {
	return Thresholds{Escalate: 75, Investigate: 50, Review: 25, AutoCloseBelow: 15}
}

// Validate reports every inconsistency at once: the thresholds must lie in
// 0-100 and be ordered AutoCloseBelow <= Review < Investigate <= Escalate.
func (t Thresholds) Validate() error {
	var errs []error
	for _, v := range []struct {
		name string
		v    int
	}{{"escalate", t.Escalate}, {"investigate", t.Investigate}, {"review", t.Review}, {"auto_close_below", t.AutoCloseBelow}} {
		if v.v < 0 || v.v > 100 {
			errs = append(errs, fmt.Errorf("threshold %s: %d is outside 0-100", v.name, v.v))
		}
	}
	if t.Investigate > t.Escalate {
		errs = append(errs, fmt.Errorf("threshold investigate %d is above escalate %d", t.Investigate, t.Escalate))
	}
	if t.Review >= t.Investigate {
		errs = append(errs, fmt.Errorf("threshold review %d is not below investigate %d", t.Review, t.Investigate))
	}
	if t.AutoCloseBelow > t.Review {
		errs = append(errs, fmt.Errorf("threshold auto_close_below %d is above review %d", t.AutoCloseBelow, t.Review))
	}
	return errors.Join(errs...)
}

// Mode is a deployment mode: how far the engine may act on its own.
type Mode string

// Deployment modes, from most to least cautious.
const (
	// Shadow decides and records everything but acts on nothing.
	Shadow Mode = "shadow"
	// Assisted proposes; analysts approve every high-risk action.
	Assisted Mode = "assisted"
	// SemiAutonomous auto-closes only below Thresholds.AutoCloseBelow.
	SemiAutonomous Mode = "semi_autonomous"
	// Autonomous auto-closes below Thresholds.Review.
	Autonomous Mode = "autonomous"
)

// Valid reports whether m is one of the four modes.
func (m Mode) Valid() bool {
	switch m {
	case Shadow, Assisted, SemiAutonomous, Autonomous:
		return true
	}
	return false
}

// Policy is a tenant's classification policy. The zero Policy is the
// default thresholds in shadow mode: an unknown mode is treated as shadow,
// and zero Thresholds as DefaultThresholds.
type Policy struct {
	Thresholds Thresholds
	Mode       Mode
}

// Input is what classification reads: the score and the context it came from.
type Input struct {
	Score       score.Result
	Alert       *alert.Alert
	Observables []alert.Observable
	Asset       score.AssetContext
	User        score.UserContext
}

// Result is the classification of one alert.
type Result struct {
	Verdict     alert.Verdict
	Disposition alert.Disposition
	Severity    alert.Severity
	Priority    alert.Priority
	Reasoning   string
}

// Classify applies the policy to one scored alert. It is pure and
// deterministic.
func Classify(p Policy, in *Input) Result {
	r := judge(p, in, true)
	if r.attempt {
		r.Reasoning += attemptNote(r.capped)
	}
	return r.Result
}

// Judge is Classify without the reasoning paragraph: the verdict,
// disposition, severity and priority only, for callers that need a
// preliminary judgement (correlation) on the hot path.
func Judge(p Policy, in *Input) Result {
	return judge(p, in, false).Result
}

type judgement struct {
	Result
	attempt, capped bool
}

// judge classifies; explain builds the reasoning paragraph.
func judge(p Policy, in *Input, explain bool) judgement {
	p = p.normalized()
	t := p.Thresholds
	s := in.Score.Score
	var r Result
	switch {
	case s > t.Escalate:
		r.Disposition = alert.Escalate
	case s >= t.Investigate:
		r.Disposition = alert.Investigate
	case s >= t.Review:
		r.Disposition = alert.Review
	case p.Mode == SemiAutonomous && s >= t.AutoCloseBelow:
		r.Disposition = alert.Review
	default:
		r.Disposition = alert.AutoClose
	}
	guard := reliableMalicious(in.Observables)
	guarded := r.Disposition == alert.AutoClose && guard.obs != nil
	if guarded {
		r.Disposition = alert.Review
	}
	// A failed-authentication-only attempt is real but did not get in: it
	// is investigated (its source blocked) at most, never escalated, and
	// its severity is at most low.
	attempt := score.AuthFailureOnly(in.Alert)
	capped := attempt && r.Disposition == alert.Escalate
	if capped {
		r.Disposition = alert.Investigate
	}
	r.Verdict = verdictOf(r.Disposition)
	r.Severity = severity(t, s, in.Alert)
	if attempt && r.Severity.Rank() > alert.SeverityLow.Rank() {
		r.Severity = alert.SeverityLow
	}
	r.Priority = priority(r.Disposition, in.Asset.Criticality)
	if explain {
		r.Reasoning = reasoning(p, in, &r, guard, guarded)
	}
	return judgement{Result: r, attempt: attempt, capped: capped}
}

// attemptNote explains the cap on a failed-authentication-only attempt.
func attemptNote(capped bool) string {
	if capped {
		return " Only failed authentication was seen: the attempt is investigated rather than escalated and rated low, since no account was compromised."
	}
	return " Only failed authentication was seen: the attempt is rated low, since no account was compromised."
}

func (p Policy) normalized() Policy {
	if p.Thresholds == (Thresholds{}) {
		p.Thresholds = DefaultThresholds()
	}
	if !p.Mode.Valid() {
		p.Mode = Shadow
	}
	return p
}

func verdictOf(d alert.Disposition) alert.Verdict {
	switch d {
	case alert.Escalate, alert.Investigate:
		return alert.TruePositive
	case alert.Review:
		return alert.NeedsReview
	}
	return alert.FalsePositive
}

// evidence points at one finding of one observable.
type evidence struct {
	obs     *alert.Observable
	finding *alert.Finding
}

// reliableMalicious finds the first malicious finding from a source of
// reliability A or B: the evidence that forbids an auto-close.
func reliableMalicious(obs []alert.Observable) evidence {
	for i := range obs {
		for j := range obs[i].Findings {
			f := &obs[i].Findings[j]
			if f.Reputation != alert.Malicious {
				continue
			}
			switch f.Reliability {
			case "A", "B", "a", "b":
				return evidence{&obs[i], f}
			}
		}
	}
	return evidence{}
}

// criticalScore is the score from which the score alone rates critical.
const criticalScore = 90

// scoreRank rates the score alone on the 1-5 severity scale.
func scoreRank(t Thresholds, s int) int {
	switch {
	case s >= criticalScore:
		return 5
	case s > t.Escalate:
		return 4
	case s >= t.Investigate:
		return 3
	case s >= t.Review:
		return 2
	}
	return 1
}

// severity blends the score's rank (weight 2) with the source's (weight 1),
// rounding half up; without a source severity the score's rank stands.
func severity(t Thresholds, s int, a *alert.Alert) alert.Severity {
	sr := scoreRank(t, s)
	src := 0
	if a != nil {
		src = a.Severity.Rank()
	}
	if src == 0 {
		return alert.SeverityFromRank(sr)
	}
	return alert.SeverityFromRank((2*sr + src + 1) / 3)
}

// priority reads the priority table (docs/scoring.md): escalate is P1 on a
// critical or high asset and P2 elsewhere; investigate P2 / P3; review
// P3 / P4; auto-close always P4. Medium, low and unknown assets share the
// lower column.
func priority(d alert.Disposition, criticality string) alert.Priority {
	important := criticality == "critical" || criticality == "high"
	switch {
	case d == alert.Escalate && important:
		return alert.P1
	case d == alert.Escalate, d == alert.Investigate && important:
		return alert.P2
	case d == alert.Investigate, d == alert.Review && important:
		return alert.P3
	}
	return alert.P4
}
