package history

import (
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// kind is the kind of a tracked entity.
type kind uint8

// Tracked entity kinds, in the order they are reported.
const (
	kindHost kind = iota
	kindUser
	kindIP
	kindRule
	numKinds
)

// Entity kind names, as Entity and EntityStats spell them.
const (
	KindHost = "host"
	KindUser = "user"
	KindIP   = "ip"
	KindRule = "rule"
)

var kindNames = [numKinds]string{KindHost, KindUser, KindIP, KindRule}

func (k kind) String() string { return kindNames[k] }

func parseKind(s string) (kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return kind(i), true
		}
	}
	return 0, false
}

// key identifies an entity within one tenant.
type key struct {
	kind  kind
	value string
}

func compareKeys(a, b key) int {
	if a.kind != b.kind {
		return int(a.kind) - int(b.kind)
	}
	return strings.Compare(a.value, b.value)
}

// subjects are the entities an alert is about and the destinations its
// sources reached, canonical (lower-cased), sorted and without duplicates.
type subjects struct {
	keys []key    // hosts, users, source IPs, then the rule
	dsts []string // destination IPs and host names
}

// canon lower-cases a value; strings.ToLower returns its argument without
// allocating when it is already lower-case ASCII.
func canon(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// ruleValue names the detection: rule IDs are only unique within a
// product, so the source is part of the name.
func ruleValue(a *alert.Alert) string {
	id := a.Rule.ID
	if id == "" {
		id = a.Rule.Name
	}
	if id == "" {
		id = a.Title
	}
	if id == "" {
		return ""
	}
	return canon(a.Source + ":" + id)
}

// extract finds the subjects of a. With observables (the ioc stage's
// canonical output) it reads their roles; without, it reads the alert's
// structured entities directly.
func extract(dst *subjects, a *alert.Alert, obs []alert.Observable) {
	dst.keys = dst.keys[:0]
	dst.dsts = dst.dsts[:0]
	if obs != nil {
		fromObservables(dst, obs)
	} else {
		fromEntities(dst, &a.Entities)
	}
	if r := ruleValue(a); r != "" {
		dst.keys = append(dst.keys, key{kindRule, r})
	}
	slices.SortFunc(dst.keys, compareKeys)
	dst.keys = slices.CompactFunc(dst.keys, func(a, b key) bool { return a == b })
	slices.Sort(dst.dsts)
	dst.dsts = slices.Compact(dst.dsts)
}

func isIP(t alert.ObservableType) bool { return t == alert.IPv4 || t == alert.IPv6 }

func fromObservables(dst *subjects, obs []alert.Observable) {
	hostNamed := false
	for i := range obs {
		o := &obs[i]
		if o.Role == "host" && o.Type == alert.HostID {
			hostNamed = true
		}
	}
	for i := range obs {
		o := &obs[i]
		v := canon(o.Value)
		if v == "" {
			continue
		}
		switch o.Role {
		case "host":
			if o.Type == alert.HostID || (isIP(o.Type) && !hostNamed) {
				dst.keys = append(dst.keys, key{kindHost, v})
			}
		case "user":
			if o.Type == alert.UserID {
				dst.keys = append(dst.keys, key{kindUser, v})
			}
		case "src":
			switch {
			case isIP(o.Type):
				dst.keys = append(dst.keys, key{kindIP, v})
			case o.Type == alert.HostID || o.Type == alert.Domain:
				dst.keys = append(dst.keys, key{kindHost, v})
			}
		case "dst":
			if isIP(o.Type) || o.Type == alert.HostID || o.Type == alert.Domain {
				dst.dsts = append(dst.dsts, v)
			}
		}
	}
}

func fromEntities(dst *subjects, e *alert.Entities) {
	for _, h := range e.Hosts {
		switch {
		case h.Name != "":
			dst.keys = append(dst.keys, key{kindHost, canon(h.Name)})
		case h.IP != "":
			dst.keys = append(dst.keys, key{kindHost, canon(h.IP)})
		}
	}
	for _, u := range e.Users {
		if u.Name == "" {
			continue
		}
		name := u.Name
		if u.Domain != "" && !strings.ContainsAny(name, `\@`) {
			name = u.Domain + `\` + name
		}
		dst.keys = append(dst.keys, key{kindUser, canon(name)})
	}
	for _, ep := range e.Src {
		if ep.IP != "" {
			dst.keys = append(dst.keys, key{kindIP, canon(ep.IP)})
		}
		if ep.Hostname != "" {
			dst.keys = append(dst.keys, key{kindHost, canon(ep.Hostname)})
		}
	}
	for _, ep := range e.Dst {
		if ep.IP != "" {
			dst.dsts = append(dst.dsts, canon(ep.IP))
		}
		if ep.Hostname != "" {
			dst.dsts = append(dst.dsts, canon(ep.Hostname))
		}
	}
}
