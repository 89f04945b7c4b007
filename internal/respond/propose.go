package respond

import (
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// MaxActions bounds the proposals for one alert: an alert naming hundreds
// of malicious IPs is a case for an analyst, not for hundreds of blocks.
const MaxActions = 16

// Input is what the playbooks read of one classified alert.
type Input struct {
	// Category is the alert's category (score.Category values, or an
	// incident type such as account_compromise).
	Category string
	// Alert gives the message ID, the sender and the hosts and users
	// when Asset and User name none.
	Alert *alert.Alert
	// Observables carry the Findings filled by enrichment.
	Observables []alert.Observable
	Asset       Asset
	User        User
	// Mode is the tenant's mode: shadow, assisted, semi_autonomous or
	// autonomous; anything else is treated as shadow.
	Mode        string
	Disposition alert.Disposition
	// InIncident says the alert is part of an incident.
	InIncident bool
}

// Asset is the inventory record of the host the alert concerns.
type Asset struct {
	Name        string
	Criticality string
	Tags        []string
}

// User is what is known of the most critical identity involved.
type User struct {
	Name        string
	VIP         bool
	Role        string
	DomainAdmin bool
}

// Propose returns the actions of the alert's category playbook followed
// by those of the "any" playbook, in playbook order and within a step in
// observable order, deduplicated on type and target (the first wins) and
// capped at MaxActions. An auto-closed alert gets none.
func (p *Playbooks) Propose(in Input) []alert.Action {
	if in.Disposition == alert.AutoClose {
		return nil
	}
	var out []alert.Action
	sensitive := criticalAsset(&in.Asset) || privilegedUser(&in.User)
	alertBad := in.Disposition == alert.Escalate || slices.ContainsFunc(in.Observables, func(o alert.Observable) bool { return bad(&o) })
	for _, pb := range []*playbook{p.byCategory[in.Category], p.any} {
		if pb == nil {
			continue
		}
		for i := range pb.Steps {
			s := &pb.Steps[i]
			if s.IncidentOnly && !in.InIncident ||
				s.MinDisposition != "" && rank(in.Disposition) < rank(s.MinDisposition) ||
				s.Evidence == EvidenceAlert && !alertBad {
				continue
			}
			sel := selectors[s.Target]
			risk := s.Risk
			if sel.entity && sensitive {
				risk = alert.RiskHigh
			}
			for _, c := range sel.resolve(&in) {
				if len(out) == MaxActions {
					return out
				}
				if s.Evidence == EvidenceTarget && !c.bad ||
					slices.ContainsFunc(out, func(a alert.Action) bool { return a.Type == s.Type && a.Target == c.value }) {
					continue
				}
				out = append(out, alert.Action{
					Type: s.Type, Target: c.value, Risk: risk,
					RequiresApproval: risk == alert.RiskHigh,
					Status:           status(in.Mode, risk),
					Params:           maps.Clone(s.Params),
				})
			}
		}
	}
	return out
}

// status is an action's status by mode. Nothing is executed in this
// build: shadow (and an unknown mode) records, other modes propose
// low-risk steps and hold high-risk ones for approval.
func status(mode, risk string) string {
	switch {
	case mode != "assisted" && mode != "semi_autonomous" && mode != "autonomous":
		return alert.ActionRecorded
	case risk == alert.RiskLow:
		return alert.ActionProposed
	}
	return alert.ActionPendingApproval
}

func rank(d alert.Disposition) int {
	switch d {
	case alert.Escalate:
		return 4
	case alert.Investigate:
		return 3
	case alert.Review, "":
		return 2
	}
	return 1
}

// criticalAsset: actions on such a host always wait for approval.
func criticalAsset(a *Asset) bool {
	return a.Criticality == "critical" || slices.ContainsFunc(a.Tags, func(t string) bool {
		return t == "domain_controller" || t == "production_database" || t == "scada"
	})
}

// privilegedUser: actions on such an account or its mailbox always wait
// for approval.
func privilegedUser(u *User) bool {
	return u.VIP || u.DomainAdmin || u.Role == "admin" || u.Role == "executive"
}

// bad reports whether some source judged o malicious or suspicious and
// none judged it benign: a benign verdict vetoes any step against it.
func bad(o *alert.Observable) bool {
	b := false
	for i := range o.Findings {
		switch o.Findings[i].Reputation {
		case alert.Benign:
			return false
		case alert.Malicious, alert.Suspicious:
			b = true
		}
	}
	return b
}

func benign(o *alert.Observable) bool {
	return slices.ContainsFunc(o.Findings, func(f alert.Finding) bool { return f.Reputation == alert.Benign })
}

// candidate is one resolved target; bad says the target indicator itself
// was judged malicious or suspicious.
type candidate struct {
	value string
	bad   bool
}

type selector struct {
	// indicator targets are blocked at the perimeter; entity targets
	// (host, user, message) act on the tenant's own assets.
	indicator, entity bool
	resolve           func(in *Input) []candidate
}

// selectors are the targets a step may name.
var selectors = map[string]selector{
	"ip":            {indicator: true, resolve: ips("src", "dst")},
	"src_ip":        {indicator: true, resolve: ips("src")},
	"dst_ip":        {indicator: true, resolve: ips("dst")},
	"domain":        {indicator: true, resolve: domains},
	"url":           {indicator: true, resolve: ofType(alert.URL)},
	"hash":          {indicator: true, resolve: ofType(alert.MD5, alert.SHA1, alert.SHA256)},
	"sha256":        {indicator: true, resolve: ofType(alert.SHA256)},
	"sender":        {indicator: true, resolve: sender},
	"sender_domain": {indicator: true, resolve: senderDomain},
	"host":          {entity: true, resolve: host},
	"user":          {entity: true, resolve: user},
	"message":       {entity: true, resolve: message},
}

// ips takes external IPs in the given roles; private, loopback,
// link-local, reserved and benign ones never.
func ips(roles ...string) func(*Input) []candidate {
	return func(in *Input) []candidate {
		var out []candidate
		for i := range in.Observables {
			o := &in.Observables[i]
			if (o.Type != alert.IPv4 && o.Type != alert.IPv6) || !slices.Contains(roles, o.Role) ||
				o.Class == "private" || o.Class == "loopback" || o.Class == "reserved" || benign(o) || !external(o.Value) {
				continue
			}
			out = append(out, candidate{o.Value, bad(o)})
		}
		return out
	}
}

// external double-checks an IP whatever its Class says.
func external(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return !(a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
		a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast())
}

func domains(in *Input) []candidate {
	var out []candidate
	for i := range in.Observables {
		o := &in.Observables[i]
		if o.Type == alert.Domain && o.Class != "internal" && !benign(o) {
			out = append(out, candidate{o.Value, bad(o)})
		}
	}
	return out
}

func ofType(types ...alert.ObservableType) func(*Input) []candidate {
	return func(in *Input) []candidate {
		var out []candidate
		for i := range in.Observables {
			o := &in.Observables[i]
			if slices.Contains(types, o.Type) && !benign(o) {
				out = append(out, candidate{o.Value, bad(o)})
			}
		}
		return out
	}
}

// senderAddress is the message's sender, from the alert or the
// observables.
func senderAddress(in *Input) string {
	if in.Alert != nil && in.Alert.Entities.Email != nil && in.Alert.Entities.Email.From != "" {
		return strings.ToLower(in.Alert.Entities.Email.From)
	}
	for i := range in.Observables {
		if o := &in.Observables[i]; o.Type == alert.EmailAd && o.Role == "sender" {
			return strings.ToLower(o.Value)
		}
	}
	return ""
}

// domainVerdict is what the observables say of domain d: whether one
// judged it bad, and whether one marks it internal or benign.
func domainVerdict(in *Input, d string) (isBad, veto bool) {
	for i := range in.Observables {
		o := &in.Observables[i]
		if o.Type == alert.Domain && strings.EqualFold(o.Value, d) {
			if o.Class == "internal" || benign(o) {
				return false, true
			}
			isBad = isBad || bad(o)
		}
	}
	return isBad, false
}

// sender is the sender's address, unless its domain is internal or
// known benign (a colleague's mailbox is a case for the account steps).
func sender(in *Input) []candidate {
	addr := senderAddress(in)
	_, dom, ok := strings.Cut(addr, "@")
	if !ok || dom == "" {
		return nil
	}
	domBad, veto := domainVerdict(in, dom)
	if veto {
		return nil
	}
	isBad := domBad
	for i := range in.Observables {
		if o := &in.Observables[i]; o.Type == alert.EmailAd && strings.EqualFold(o.Value, addr) {
			if benign(o) {
				return nil
			}
			isBad = isBad || bad(o)
		}
	}
	return []candidate{{addr, isBad}}
}

// senderDomain is the sender's domain under the same guards as sender.
func senderDomain(in *Input) []candidate {
	c := sender(in)
	if len(c) == 0 {
		return nil
	}
	_, dom, _ := strings.Cut(c[0].value, "@")
	domBad, _ := domainVerdict(in, dom)
	return []candidate{{dom, domBad}}
}

func host(in *Input) []candidate {
	if in.Asset.Name != "" {
		return []candidate{{value: in.Asset.Name}}
	}
	if in.Alert != nil {
		for _, h := range in.Alert.Entities.Hosts {
			if h.Name != "" {
				return []candidate{{value: h.Name}}
			}
			if h.IP != "" {
				return []candidate{{value: h.IP}}
			}
		}
	}
	return nil
}

func user(in *Input) []candidate {
	if in.User.Name != "" {
		return []candidate{{value: in.User.Name}}
	}
	if in.Alert != nil {
		for _, u := range in.Alert.Entities.Users {
			if u.Name != "" {
				return []candidate{{value: u.Name}}
			}
		}
	}
	return nil
}

// message is the alert's ID when the alert is about an email: the
// mailbox connector finds the message by it.
func message(in *Input) []candidate {
	if in.Alert != nil && in.Alert.Entities.Email != nil && in.Alert.ID != "" {
		return []candidate{{value: in.Alert.ID}}
	}
	return nil
}
