package intel

import (
	"net/netip"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// query is one observable prepared once for every feed: its canonical value
// and, by type, its parsed address, host and URL forms. Building it allocates
// only when the value is not already in canonical (lower) case.
type query struct {
	typ alert.ObservableType
	// value is the canonical value: lower case for domains, hashes and
	// e-mail addresses; the URL as given (with a lower-case host).
	value string
	// ip is set for ipv4 and ipv6 observables and for URLs whose host is an
	// IP literal.
	ip    netip.Addr
	ipKey u128
	// host is the domain of a domain observable or of a URL with a name.
	host string
	// ipText is the canonical text of ip, for feeds keyed by text.
	ipText string
	// urlRest is a URL without its scheme ("host/path?query"); urlPath is
	// urlRest without its query and fragment.
	urlRest, urlPath string
}

func newQuery(o alert.Observable) (query, bool) {
	q := query{typ: o.Type}
	v := strings.TrimSpace(o.Value)
	if v == "" {
		return q, false
	}
	switch o.Type {
	case alert.IPv4, alert.IPv6:
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" {
			return q, false
		}
		a = a.Unmap()
		q.setIP(a, v)
		q.value = q.ipText
	case alert.Domain:
		q.value = lower(strings.TrimSuffix(v, "."))
		q.host = q.value
		if q.host == "" {
			return q, false
		}
	case alert.MD5, alert.SHA1, alert.SHA256:
		// A hash of the wrong length for its type would otherwise match
		// a value of another type, since hash feeds share one key space.
		if len(v) != hashLen(o.Type) || !isHex(v) {
			return q, false
		}
		q.value = lower(v)
	case alert.EmailAd:
		q.value = lower(v)
	case alert.URL:
		return parseURLQuery(q, v)
	default:
		return q, false
	}
	return q, true
}

// setIP records a and its canonical text; text is reused when it already is
// canonical, so the common case does not allocate.
func (q *query) setIP(a netip.Addr, text string) {
	q.ip = a
	q.ipKey = addrKey(a)
	q.ipText = ipText(a, text)
}

// ipText returns the canonical text of a, which was parsed from text:
// text itself for a dotted quad (netip accepts only canonical ones), else
// a freshly formatted string.
func ipText(a netip.Addr, text string) string {
	if a.Is4() && !strings.Contains(text, ":") {
		return text
	}
	var buf [64]byte
	if b := a.AppendTo(buf[:0]); string(b) == text {
		return text
	}
	return a.String()
}

// mayBeIP reports whether host could be an IP literal, so that the common
// case of a name skips netip.ParseAddr, whose error allocates.
func mayBeIP(host string) bool {
	if strings.Contains(host, ":") {
		return true
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// parseURLQuery splits a URL into host, host+path and host+path+query. A URL
// without a scheme is read as if it had one.
func parseURLQuery(q query, v string) (query, bool) {
	rest := v
	if i := strings.Index(v, "://"); i >= 0 {
		rest = v[i+3:]
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	hostport := rest[:end]
	if i := strings.LastIndexByte(hostport, '@'); i >= 0 {
		hostport = hostport[i+1:]
		rest = rest[strings.LastIndexByte(rest[:end], '@')+1:]
		end = len(hostport)
	}
	host := hostport
	if strings.HasPrefix(host, "[") {
		if i := strings.IndexByte(host, ']'); i > 0 {
			host = host[1:i]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return q, false
	}
	if hasUpper(rest[:end]) {
		rest = strings.ToLower(rest[:end]) + rest[end:]
		host = lower(host)
	}
	q.value = v
	q.urlRest = rest
	q.urlPath = rest
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		q.urlPath = rest[:i]
	}
	if !mayBeIP(host) {
		q.host = host
	} else if a, err := netip.ParseAddr(host); err == nil && a.Zone() == "" {
		q.setIP(a.Unmap(), host)
	} else {
		q.host = host
	}
	return q, true
}

// hashLen is the hex length of a hash type, 0 for other types.
func hashLen(t alert.ObservableType) int {
	switch t {
	case alert.MD5:
		return 32
	case alert.SHA1:
		return 40
	case alert.SHA256:
		return 64
	}
	return 0
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= s[i] && s[i] <= '9') && !('a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// hasUpper reports whether s has an ASCII upper-case letter.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// lower is strings.ToLower that does not allocate for lower-case input.
func lower(s string) string {
	if !hasUpper(s) {
		return s
	}
	return strings.ToLower(s)
}

// parentDomain returns d without its first label, and false when d has a
// single label left. It does not allocate.
func parentDomain(d string) (string, bool) {
	i := strings.IndexByte(d, '.')
	if i < 0 || i == len(d)-1 {
		return "", false
	}
	return d[i+1:], true
}
