package classify

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/score"
)

// topFactors is how many factors the reasoning names.
const topFactors = 3

// reasoning writes the deterministic paragraph that explains a result: the
// disposition and why (score against the thresholds, mode, top factors),
// the guard if it fired, the missing evidence, the logged reason of an
// auto-close. Response actions are proposed and explained by internal/respond.
func reasoning(p Policy, in *Input, r *Result, guard evidence, guarded bool) string {
	t := p.Thresholds
	s := in.Score.Score
	var b strings.Builder
	b.Grow(512)
	b.WriteString(label(r.Disposition))
	b.WriteString(" (")
	b.WriteString(string(r.Verdict))
	b.WriteString("): score ")
	b.WriteString(strconv.Itoa(s))
	switch {
	case guarded:
		b.WriteString(" would auto-close, being below the ")
		if p.Mode == SemiAutonomous {
			b.WriteString("auto-close threshold " + strconv.Itoa(t.AutoCloseBelow))
		} else {
			b.WriteString("review threshold " + strconv.Itoa(t.Review))
		}
	case r.Disposition == alert.Escalate, s > t.Escalate: // a capped attempt says why after
		b.WriteString(" is above the escalate threshold " + strconv.Itoa(t.Escalate))
	case r.Disposition == alert.Investigate:
		b.WriteString(" is within the investigate band " + strconv.Itoa(t.Investigate) + "-" + strconv.Itoa(t.Escalate))
	case s >= t.Review:
		b.WriteString(" is within the review band " + strconv.Itoa(t.Review) + "-" + strconv.Itoa(t.Investigate-1))
	case r.Disposition == alert.Review:
		b.WriteString(" is below the review threshold " + strconv.Itoa(t.Review) +
			" but not below the semi-autonomous auto-close threshold " + strconv.Itoa(t.AutoCloseBelow))
	case p.Mode == SemiAutonomous:
		b.WriteString(" is below the semi-autonomous auto-close threshold " + strconv.Itoa(t.AutoCloseBelow))
	default:
		b.WriteString(" is below the review threshold " + strconv.Itoa(t.Review))
	}
	b.WriteString(" (mode ")
	b.WriteString(string(p.Mode))
	if in.Score.Category != "" {
		b.WriteString(", category ")
		b.WriteString(in.Score.Category)
	}
	b.WriteString(").")

	if top := strongest(in.Score.Factors); len(top) > 0 {
		b.WriteString(" Top factors: ")
		for i, f := range top {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.Name)
			b.WriteByte(' ')
			if f.Contribution >= 0 {
				b.WriteByte('+')
			}
			b.WriteString(strconv.FormatFloat(f.Contribution, 'f', -1, 64))
			if f.Detail != "" {
				b.WriteString(" (")
				b.WriteString(f.Detail)
				b.WriteByte(')')
			}
		}
		b.WriteByte('.')
	}
	if guarded {
		b.WriteString(" Auto-close blocked: ")
		b.WriteString(guard.obs.Value)
		b.WriteString(" has a malicious finding from ")
		b.WriteString(guard.finding.Source)
		b.WriteString(" (reliability ")
		b.WriteString(guard.finding.Reliability)
		b.WriteString("), so an analyst must review it.")
	}
	if missing := missingEvidence(in); len(missing) > 0 {
		b.WriteString(" Missing evidence: ")
		b.WriteString(strings.Join(missing, "; "))
		b.WriteByte('.')
	}
	if r.Disposition == alert.AutoClose {
		b.WriteString(" Logged reason for auto-close: the rule-based score is below the threshold and no observable has a malicious finding from a reliable (A-B) source; no language model took part in this decision.")
		if p.Mode == Shadow {
			b.WriteString(" Shadow mode: the close is recorded only.")
		}
	}
	return b.String()
}

func label(d alert.Disposition) string {
	switch d {
	case alert.Escalate:
		return "Escalate"
	case alert.Investigate:
		return "Investigate"
	case alert.Review:
		return "Review"
	}
	return "Auto-close"
}

// strongest returns the factors with the largest absolute contributions,
// leaving out the constant baseline; ties go by name for determinism.
func strongest(fs []alert.Factor) []alert.Factor {
	top := make([]alert.Factor, 0, len(fs))
	for _, f := range fs {
		if f.Name != score.FactorBase && f.Contribution != 0 {
			top = append(top, f)
		}
	}
	slices.SortStableFunc(top, func(a, b alert.Factor) int {
		if c := cmp.Compare(math.Abs(b.Contribution), math.Abs(a.Contribution)); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return top[:min(len(top), topFactors)]
}

// missingEvidence names what the decision could not consider.
func missingEvidence(in *Input) []string {
	var m []string
	findings := false
	for i := range in.Observables {
		findings = findings || len(in.Observables[i].Findings) > 0
	}
	switch {
	case len(in.Observables) == 0:
		m = append(m, "no observables extracted")
	case !findings:
		m = append(m, "no enrichment findings for any observable")
	}
	if in.Asset.Criticality == "" {
		m = append(m, "asset criticality unknown")
	}
	if in.User == (score.UserContext{}) {
		m = append(m, "no identity context")
	}
	stage := false
	for _, f := range in.Score.Factors {
		stage = stage || f.Name == score.FactorAttackStage
	}
	if !stage {
		m = append(m, "no ATT&CK technique with a known tactic")
	}
	return m
}
