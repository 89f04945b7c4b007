package classify

import (
	"github.com/winnow-soc/winnow/alert"
)

// Action types proposed by classification.
const (
	ActionBlockIP        = "block_ip"
	ActionBlockDomain    = "block_domain"
	ActionBlockHash      = "block_hash"
	ActionBlockSender    = "block_sender"
	ActionPurgeMessage   = "purge_message"
	ActionIsolateHost    = "isolate_host"
	ActionDisableAccount = "disable_account"
)

// maxActions bounds the proposals for one alert; an alert naming hundreds
// of malicious IPs is a case for an analyst, not for hundreds of blocks.
const maxActions = 10

// riskOf classifies an action type: only blocking an IP at the perimeter
// is low risk (cheap to undo, narrow blast radius); every other action is
// high risk and needs approval.
func riskOf(typ string) string {
	if typ == ActionBlockIP {
		return alert.RiskLow
	}
	return alert.RiskHigh
}

// actions proposes response steps from the category and the evidence, in a
// fixed order: evidence blocks in observable order, then message, host and
// account steps. The caller never asks for an auto-closed alert.
func actions(m Mode, d alert.Disposition, in *Input) []alert.Action {
	var out []alert.Action
	add := func(typ, target string) {
		if target == "" || len(out) >= maxActions {
			return
		}
		for _, a := range out {
			if a.Type == typ && a.Target == target {
				return
			}
		}
		risk := riskOf(typ)
		out = append(out, alert.Action{
			Type: typ, Target: target, Risk: risk,
			RequiresApproval: risk == alert.RiskHigh,
			Status:           status(m, risk),
		})
	}
	anyMalicious := false
	for i := range in.Observables {
		o := &in.Observables[i]
		if !hasMalicious(o) {
			continue
		}
		anyMalicious = true
		switch o.Type {
		case alert.IPv4, alert.IPv6:
			if o.Class != "private" && o.Class != "loopback" && o.Class != "reserved" &&
				(o.Role == "src" || o.Role == "dst") {
				add(ActionBlockIP, o.Value)
			}
		case alert.Domain:
			if o.Class != "internal" {
				add(ActionBlockDomain, o.Value)
			}
		case alert.MD5, alert.SHA1, alert.SHA256:
			add(ActionBlockHash, o.Value)
		}
	}
	cat := in.Score.Category
	if a := in.Alert; a != nil && cat == "phishing" && a.Entities.Email != nil &&
		(anyMalicious || d == alert.Escalate) {
		add(ActionBlockSender, a.Entities.Email.From)
		add(ActionPurgeMessage, a.ID)
	}
	if d != alert.Escalate {
		return out
	}
	switch cat {
	case "malware", "lateral_movement", "exfiltration":
		add(ActionIsolateHost, hostName(in))
	}
	switch cat {
	case "lateral_movement", "exfiltration":
		add(ActionDisableAccount, userName(in))
	}
	return out
}

// status is an action's status by mode. Nothing is executed in this build:
// shadow records, other modes propose low-risk steps and hold high-risk
// ones for approval; execution through SOAR connectors comes later.
func status(m Mode, risk string) string {
	switch {
	case m == Shadow:
		return alert.ActionRecorded
	case risk == alert.RiskLow:
		return alert.ActionProposed
	}
	return alert.ActionPendingApproval
}

func hasMalicious(o *alert.Observable) bool {
	for i := range o.Findings {
		if o.Findings[i].Reputation == alert.Malicious {
			return true
		}
	}
	return false
}

func hostName(in *Input) string {
	if in.Asset.Name != "" {
		return in.Asset.Name
	}
	if in.Alert != nil {
		for _, h := range in.Alert.Entities.Hosts {
			if h.Name != "" {
				return h.Name
			}
			if h.IP != "" {
				return h.IP
			}
		}
	}
	return ""
}

func userName(in *Input) string {
	if in.User.Name != "" {
		return in.User.Name
	}
	if in.Alert != nil {
		for _, u := range in.Alert.Entities.Users {
			if u.Name != "" {
				return u.Name
			}
		}
	}
	return ""
}
