package ioc

import (
	"net/netip"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// Options configures an Extractor.
type Options struct {
	// InternalDomains are the organisation's own DNS suffixes
	// ("corp.example.com"); names equal to or below them are "internal",
	// in addition to .local, .internal, .lan and .home.arpa.
	InternalDomains []string
}

// Extractor finds and canonicalises observables. It is immutable after New
// and safe for concurrent use.
type Extractor struct {
	internal []string // lower-case suffixes without leading or trailing dots
}

// New returns an Extractor for opts. Empty internal domains are ignored.
func New(opts Options) *Extractor {
	x := &Extractor{internal: append([]string(nil), builtinInternal...)}
	for _, d := range opts.InternalDomains {
		d = strings.Trim(strings.ToLower(strings.TrimSpace(d)), ".")
		if d != "" {
			x.internal = append(x.internal, d)
		}
	}
	return x
}

// dedupMapAt is the dst length from which duplicates are found with a map
// rather than a linear scan.
const dedupMapAt = 32

type obsKey struct {
	t alert.ObservableType
	v string
}

// sink appends distinct observables to dst.
type sink struct {
	x    *Extractor
	dst  []alert.Observable
	role string
	seen map[obsKey]struct{}
}

// emit appends (t, v) unless already present. v must be canonical; it is
// copied so that the result does not pin the caller's input in memory.
func (k *sink) emit(t alert.ObservableType, v string) {
	if k.has(t, v) {
		return
	}
	v = strings.Clone(v)
	if k.seen != nil {
		k.seen[obsKey{t, v}] = struct{}{}
	}
	k.dst = append(k.dst, alert.Observable{Type: t, Value: v, Class: k.x.class(t, v), Role: k.role})
}

func (k *sink) has(t alert.ObservableType, v string) bool {
	if k.seen == nil && len(k.dst) >= dedupMapAt {
		k.seen = make(map[obsKey]struct{}, 2*len(k.dst))
		for _, o := range k.dst {
			k.seen[obsKey{o.Type, o.Value}] = struct{}{}
		}
	}
	if k.seen != nil {
		_, ok := k.seen[obsKey{t, v}]
		return ok
	}
	for i := range k.dst {
		if k.dst[i].Type == t && k.dst[i].Value == v {
			return true
		}
	}
	return false
}

// class returns the Class for a canonical value of type t.
func (x *Extractor) class(t alert.ObservableType, v string) string {
	switch t {
	case alert.IPv4, alert.IPv6:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return ""
		}
		return ClassifyIP(a)
	case alert.Domain:
		return x.ClassifyDomain(v)
	}
	return ""
}

// Text appends to dst every distinct observable found in s that is not
// already in dst (same Type and Value), with Class set and Role set to role;
// returns dst. Observables are appended in order of first appearance; a URL
// is followed by its host (as a domain or IP), an email by its domain.
func (x *Extractor) Text(dst []alert.Observable, s string, role string) []alert.Observable {
	k := sink{x: x, dst: dst, role: role}
	k.text(s)
	return k.dst
}

// Add appends one structured value (from a typed alert field) after
// validating and canonicalising it for type t; invalid values are ignored;
// returns dst. IPv4 and IPv6 are interchangeable for t: the address decides.
// Defanged URLs, domains and emails are refanged. User, process and file
// values are kept as given, trimmed; host values are also lower-cased.
func (x *Extractor) Add(dst []alert.Observable, t alert.ObservableType, v, role string) []alert.Observable {
	k := sink{x: x, dst: dst, role: role}
	v = strings.TrimSpace(v)
	if v == "" {
		return dst
	}
	switch t {
	case alert.IPv4, alert.IPv6:
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.WithZone("")
			if a.Is4() {
				if parseIPv4(v) { // netip accepts nothing looser, but be explicit
					k.emit(alert.IPv4, a.String())
				}
			} else {
				k.emit(alert.IPv6, a.String())
			}
		}
	case alert.Domain:
		d := strings.TrimSuffix(v, ".")
		if !x.domainOK(d, false) {
			d, _ = refang(d)
		}
		if x.domainOK(d, false) {
			k.emit(alert.Domain, lowerASCII(d))
		}
	case alert.URL:
		if u, ok := x.canonURL(v); ok {
			k.emit(alert.URL, u)
		} else if r, changed := refang(v); changed {
			if u, ok := x.canonURL(r); ok {
				k.emit(alert.URL, u)
			}
		}
	case alert.EmailAd:
		if e, ok := x.canonEmail(v); ok {
			k.emit(alert.EmailAd, e)
		} else if r, changed := refang(v); changed {
			if e, ok := x.canonEmail(r); ok {
				k.emit(alert.EmailAd, e)
			}
		}
	case alert.MD5, alert.SHA1, alert.SHA256:
		if ht, ok := hashType(len(v)); ok && ht == t && allHex(v) {
			k.emit(t, lowerASCII(v))
		}
	case alert.CVE:
		if cveAt(v) == len(v) {
			k.emit(alert.CVE, strings.ToUpper(v))
		}
	case alert.HostID:
		k.emit(t, lowerASCII(v))
	case alert.UserID, alert.ProcID, alert.FileID:
		k.emit(t, v)
	}
	return k.dst
}

func hashType(n int) (alert.ObservableType, bool) {
	switch n {
	case 32:
		return alert.MD5, true
	case 40:
		return alert.SHA1, true
	case 64:
		return alert.SHA256, true
	}
	return "", false
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !is(s[i], cHex) {
			return false
		}
	}
	return true
}

// canonURL returns the canonical form of a whole-string URL.
func (x *Extractor) canonURL(v string) (string, bool) {
	k := strings.Index(v, "://")
	if k <= 0 || !schemeOK(v[:k]) {
		return "", false
	}
	u, end := x.parseURL(v, 0, k)
	if end != len(v) {
		return "", false
	}
	return u.value, true
}

// canonEmail returns the canonical form of a whole-string email address.
func (x *Extractor) canonEmail(v string) (string, bool) {
	at := strings.LastIndexByte(v, '@')
	if at < 0 || !localOK(v[:at]) || !x.domainOK(v[at+1:], false) {
		return "", false
	}
	return v[:at+1] + lowerASCII(v[at+1:]), true
}
