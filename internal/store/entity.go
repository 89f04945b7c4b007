package store

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// Entity kinds indexed for every stored alert.
const (
	KindHost   = "host"   // host name or agent ID
	KindUser   = "user"   // account name, and domain\name when a domain is known
	KindIP     = "ip"     // any IP the alert names, whatever its role
	KindSrcIP  = "src_ip" // source endpoint IP
	KindDstIP  = "dst_ip" // destination endpoint IP
	KindRule   = "rule"   // source/rule ID
	KindHash   = "hash"   // MD5, SHA-1 or SHA-256 of a file
	KindDomain = "domain" // domain or endpoint host name
	KindURL    = "url"
	KindEmail  = "email"
)

// Kinds lists every entity kind, for validating queries.
var Kinds = []string{KindHost, KindUser, KindIP, KindSrcIP, KindDstIP, KindRule, KindHash, KindDomain, KindURL, KindEmail}

// EntityKey names one entity: a kind and a value normalised by
// NormalizeEntity.
type EntityKey struct {
	Kind  string
	Value string
}

// NormalizeEntity returns the indexed form of value: IPs in canonical form,
// names, hashes, domains and addresses lower-cased, everything trimmed. URLs
// are kept as given apart from trimming: their paths are case-sensitive.
func NormalizeEntity(kind, value string) string {
	v := strings.TrimSpace(value)
	switch kind {
	case KindIP, KindSrcIP, KindDstIP:
		if a, err := netip.ParseAddr(v); err == nil {
			return a.Unmap().String()
		}
		return strings.ToLower(v)
	case KindURL, KindRule:
		return v
	}
	return strings.TrimSuffix(strings.ToLower(v), ".")
}

// Entities returns the deduplicated, sorted entity keys indexed for an alert
// and its decision: the alert's structured entities, its rule, and the
// observables the decision extracted.
func Entities(a *alert.Alert, d *alert.Decision) []EntityKey {
	var keys []EntityKey
	add := func(kind, value string) {
		if v := NormalizeEntity(kind, value); v != "" {
			keys = append(keys, EntityKey{kind, v})
		}
	}
	ip := func(kind, value string) {
		add(kind, value)
		if kind != KindIP {
			add(KindIP, value)
		}
	}
	e := &a.Entities
	for _, h := range e.Hosts {
		add(KindHost, h.Name)
		add(KindHost, h.ID)
		ip(KindIP, h.IP)
	}
	for _, u := range e.Users {
		add(KindUser, u.Name)
		if u.Domain != "" && u.Name != "" {
			add(KindUser, u.Domain+`\`+u.Name)
		}
	}
	for _, s := range e.Src {
		ip(KindSrcIP, s.IP)
		add(KindDomain, s.Hostname)
	}
	for _, s := range e.Dst {
		ip(KindDstIP, s.IP)
		add(KindDomain, s.Hostname)
	}
	for _, f := range e.Files {
		add(KindHash, f.MD5)
		add(KindHash, f.SHA1)
		add(KindHash, f.SHA256)
	}
	if e.Email != nil {
		add(KindEmail, e.Email.From)
		for _, to := range e.Email.To {
			add(KindEmail, to)
		}
	}
	for _, u := range e.URLs {
		add(KindURL, u)
	}
	for _, d := range e.Domains {
		add(KindDomain, d)
	}
	if a.Rule.ID != "" {
		add(KindRule, a.Source+"/"+a.Rule.ID)
	}
	if d != nil {
		for _, o := range d.Observables {
			if k := observableKind(o.Type); k != "" {
				add(k, o.Value)
			}
		}
	}
	slices.SortFunc(keys, func(x, y EntityKey) int {
		if c := strings.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		return strings.Compare(x.Value, y.Value)
	})
	return slices.Compact(keys)
}

func observableKind(t alert.ObservableType) string {
	switch t {
	case alert.IPv4, alert.IPv6:
		return KindIP
	case alert.Domain:
		return KindDomain
	case alert.URL:
		return KindURL
	case alert.EmailAd:
		return KindEmail
	case alert.MD5, alert.SHA1, alert.SHA256:
		return KindHash
	case alert.UserID:
		return KindUser
	case alert.HostID:
		return KindHost
	}
	return ""
}
