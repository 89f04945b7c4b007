package score

import (
	"strconv"

	"github.com/winnow-soc/winnow/alert"
)

// knownBenign is the known_benign factor: key observables that a warning
// list names as benign, with no malicious or suspicious finding of their
// own. It is reported but not applied (contribution 0) when a different
// observable has a malicious finding, so a known-good resolver never hides a
// known-bad host. ok is false when no observable qualifies.
func (w *Weights) knownBenign(b []byte, obs []alert.Observable) (_ []byte, v float64, ok bool) {
	n, first, second, firstFinding := 0, -1, -1, -1
	malicious := -1
	for i := range obs {
		o := &obs[i]
		if malicious < 0 && !contextOnly(o) && hasReputation(o, alert.Malicious) {
			malicious = i
		}
		if contextOnly(o) || w.ignoredRole(o.Role) ||
			hasReputation(o, alert.Malicious) || hasReputation(o, alert.Suspicious) {
			continue
		}
		fi := -1
		for j := range o.Findings {
			if o.Findings[j].Reputation == alert.Benign {
				fi = j
				break
			}
		}
		if fi < 0 {
			continue
		}
		switch n {
		case 0:
			first, firstFinding = i, fi
		case 1:
			second = i
		}
		n++
	}
	if n == 0 {
		return b, 0, false
	}
	b = append(b, obs[first].Value...)
	b = append(b, " is known benign: "...)
	b = appendFinding(b, &obs[first].Findings[firstFinding])
	if second >= 0 {
		b = append(b, "; also "...)
		b = append(b, obs[second].Value...)
	}
	if n > 2 {
		b = append(b, " and "...)
		b = strconv.AppendInt(b, int64(n-2), 10)
		b = append(b, " more"...)
	}
	if malicious >= 0 {
		b = append(b, "; not applied because "...)
		b = append(b, obs[malicious].Value...)
		b = append(b, " has a malicious finding"...)
		return b, 0, true
	}
	return b, max(float64(n)*w.benignPer, w.benignCap), true
}

func (w *Weights) ignoredRole(role string) bool {
	for _, r := range w.benignIgnore {
		if r == role {
			return true
		}
	}
	return false
}

// user is the user_criticality factor: each attribute of the identity adds
// its weight, up to the cap.
func (w *Weights) user(b []byte, u UserContext) ([]byte, float64) {
	v := 0.0
	start := len(b)
	attr := func(on bool, weight float64, label string) {
		if !on || weight == 0 {
			return
		}
		v += weight
		if len(b) == start {
			name := u.Name
			if name == "" {
				name = "the user"
			}
			b = append(b, name...)
			b = append(b, " is "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, label...)
	}
	attr(u.VIP, w.userVIP, "VIP")
	attr(u.Role == "executive", w.userExec, "an executive")
	attr(u.Role == "admin", w.userAdmin, "an administrator")
	attr(u.Role == "service", w.userService, "a service account")
	return b, min(v, w.userCap)
}

// stage is the attack_stage factor: the weight of the latest kill-chain
// tactic any technique reaches.
func (w *Weights) stage(b []byte, ts []TechniqueInfo) ([]byte, float64) {
	best := -1
	for i := range ts {
		o := ts[i].TacticOrder
		if o >= 0 && o < len(w.stages) && (best < 0 || o > ts[best].TacticOrder) {
			best = i
		}
	}
	if best < 0 {
		return b, 0
	}
	t := &ts[best]
	s := w.stages[t.TacticOrder]
	b = appendTechnique(b, &t.Technique)
	b = append(b, " reaches "...)
	b = append(b, s.tactic...)
	b = append(b, " (stage "...)
	b = strconv.AppendInt(b, int64(t.TacticOrder+1), 10)
	b = append(b, " of "...)
	b = strconv.AppendInt(b, int64(len(w.stages)), 10)
	b = append(b, ')')
	return b, s.weight
}

// prevalent is the technique_prevalence factor: the highest tier reached
// by the technique used by the most known groups.
func (w *Weights) prevalent(b []byte, ts []TechniqueInfo) ([]byte, float64) {
	best := -1
	for i := range ts {
		if ts[i].Groups > 0 && (best < 0 || ts[i].Groups > ts[best].Groups) {
			best = i
		}
	}
	if best < 0 {
		return b, 0
	}
	g := ts[best].Groups
	v := 0.0
	for _, t := range w.prevalence {
		if g >= t.minGroups {
			v = t.weight
		}
	}
	if v == 0 {
		return b, 0
	}
	b = appendTechnique(b, &ts[best].Technique)
	b = append(b, " is used by "...)
	b = strconv.AppendInt(b, int64(g), 10)
	if g == 1 {
		b = append(b, " known group"...)
	} else {
		b = append(b, " known groups"...)
	}
	return b, v
}

func appendTechnique(b []byte, t *alert.Technique) []byte {
	b = append(b, t.ID...)
	if t.Name != "" {
		b = append(b, ' ')
		b = append(b, t.Name...)
	}
	return b
}
