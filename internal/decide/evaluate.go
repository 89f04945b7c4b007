package decide

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cel.dev/cel-go/common/types"

	"github.com/winnow-soc/winnow/alert"
)

// Outcome is what a policy decided for one alert.
type Outcome struct {
	// Fired are the rules whose condition held, in policy order.
	Fired []string `json:"fired"`
	// Priority is the most urgent priority a fired rule forced, "" if none.
	Priority alert.Priority `json:"priority,omitempty"`
	// MinDisposition is the most urgent disposition a fired rule demanded.
	MinDisposition alert.Disposition `json:"min_disposition,omitempty"`
	// EscalateTo is the highest tier a fired rule escalates to (L3 > L1).
	EscalateTo string `json:"escalate_to,omitempty"`
	// Notify are the channels to notify, sorted and distinct.
	Notify []string `json:"notify,omitempty"`
	// Actions are the fired rules' proposals in policy order, one per
	// resolved target, deduplicated on type and target.
	Actions []alert.Action `json:"actions,omitempty"`
	// EscalateIncident asks to escalate the whole incident.
	EscalateIncident bool `json:"escalate_incident,omitempty"`
	// Reasons explain the fired rules, one sentence each, in policy order:
	// "rule critical_asset_p1: priority P1; at least investigate (...)".
	Reasons []string `json:"reasons,omitempty"`
	// Errors name the rules that could not be evaluated and why.
	Errors []string `json:"errors,omitempty"`
}

// Evaluate runs every rule on in. A rule that errors is skipped and named
// in Errors; the others still apply.
func (p *Policy) Evaluate(in *Input) Outcome {
	// Fired is never null in JSON: "no rule fired" is recorded as [].
	out := Outcome{Fired: []string{}}
	act := activation{in: in}
	for i := range p.rules {
		r := &p.rules[i]
		val, _, err := r.prg.Eval(act)
		if err != nil {
			out.Errors = append(out.Errors, fmt.Sprintf("%s: %v", r.name, err))
			continue
		}
		if val != types.True {
			if val != types.False {
				out.Errors = append(out.Errors, fmt.Sprintf("%s: result %v is not a bool", r.name, val))
			}
			continue
		}
		out.Fired = append(out.Fired, r.name)
		out.Reasons = append(out.Reasons, r.reason)
		out.apply(&r.then, in)
	}
	if len(out.Notify) > 1 {
		slices.Sort(out.Notify)
		out.Notify = slices.Compact(out.Notify)
	}
	return out
}

func (o *Outcome) apply(t *effect, in *Input) {
	if priorityRank(t.Priority) > priorityRank(o.Priority) {
		o.Priority = t.Priority
	}
	if dispositionRank(t.MinDisposition) > dispositionRank(o.MinDisposition) {
		o.MinDisposition = t.MinDisposition
	}
	// Tiers are L1-L3 (validated), so string order is tier order.
	if t.EscalateTo > o.EscalateTo {
		o.EscalateTo = t.EscalateTo
	}
	o.Notify = append(o.Notify, t.Notify...)
	o.EscalateIncident = o.EscalateIncident || t.EscalateIncident
	for i := range t.Propose {
		pr := &t.Propose[i]
		for _, target := range resolve(pr.Target, in) {
			if slices.ContainsFunc(o.Actions, func(a alert.Action) bool { return a.Type == pr.Type && a.Target == target }) {
				continue
			}
			o.Actions = append(o.Actions, alert.Action{
				Type: pr.Type, Target: target, Risk: pr.Risk,
				RequiresApproval: pr.Risk == alert.RiskHigh,
				Status:           status(in.Mode, pr.Risk),
				Params:           maps.Clone(pr.Params),
			})
		}
	}
}

// status is an action's status by mode: shadow (and an unknown mode, as
// in internal/classify) records; otherwise low risk is proposed and high
// risk waits for an analyst's approval.
func status(mode, risk string) string {
	switch {
	case mode != "assisted" && mode != "semi_autonomous" && mode != "autonomous":
		return alert.ActionRecorded
	case risk == alert.RiskLow:
		return alert.ActionProposed
	}
	return alert.ActionPendingApproval
}

// Target selectors a rule's proposal may name.
var selectors = []string{"host", "user", "src_ip", "dst_ip", "domain", "url", "sha256", "sender", "message", "incident"}

var selectorList = strings.Join(selectors, ", ")

func knownSelector(s string) bool { return slices.Contains(selectors, s) }

// resolve finds the targets a selector names in the input. Indicator
// selectors (IPs, domains, URLs, hashes) take only indicators judged
// malicious, and never a private IP or an internal domain; a selector
// that finds nothing proposes nothing.
func resolve(sel string, in *Input) []string {
	switch sel {
	case "host":
		if in.Asset.Name != "" {
			return []string{in.Asset.Name}
		}
		return observed(in, func(o *Observable) bool { return o.Type == string(alert.HostID) }, 1)
	case "user":
		if in.User.Name != "" {
			return []string{in.User.Name}
		}
		return observed(in, func(o *Observable) bool { return o.Type == string(alert.UserID) }, 1)
	case "message":
		if in.Alert.ID != "" {
			return []string{in.Alert.ID}
		}
	case "incident":
		if in.Incident.ID != "" {
			return []string{in.Incident.ID}
		}
	case "sender":
		return observed(in, func(o *Observable) bool {
			return o.Type == string(alert.EmailAd) && o.Role == "sender"
		}, 1)
	case "src_ip", "dst_ip":
		role := strings.TrimSuffix(sel, "_ip")
		return observed(in, func(o *Observable) bool {
			return (o.Type == string(alert.IPv4) || o.Type == string(alert.IPv6)) && o.Role == role &&
				o.Malicious && o.Class != "private" && o.Class != "loopback" && o.Class != "reserved"
		}, maxTargets)
	case "domain":
		return observed(in, func(o *Observable) bool {
			return o.Type == string(alert.Domain) && o.Malicious && o.Class != "internal"
		}, maxTargets)
	case "url", "sha256":
		return observed(in, func(o *Observable) bool { return o.Type == sel && o.Malicious }, maxTargets)
	}
	return nil
}

// maxTargets bounds the actions one proposal yields.
const maxTargets = 8

func observed(in *Input, keep func(*Observable) bool, limit int) []string {
	var out []string
	for i := range in.Observables {
		o := &in.Observables[i]
		if keep(o) && !slices.Contains(out, o.Value) {
			out = append(out, o.Value)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
