package ioc

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// text scans s token by token. A token is a maximal run of bytes that are
// not delimiters (space, control, quotes, angle brackets, backquote,
// backslash, pipe, caret). Tokens too short to hold an observable, or
// without a hint byte (. : @ [ ( {) and too short for a CVE or hash, are
// skipped after one look at each byte.
func (k *sink) text(s string) {
	i := 0
	for i < len(s) {
		for i < len(s) && is(s[i], cDelim) {
			i++
		}
		j := i
		var seen uint16
		for j < len(s) && !is(s[j], cDelim) {
			seen |= class[s[j]]
			j++
		}
		if j-i >= 3 && (seen&cHint != 0 || j-i >= 13) {
			k.token(s[i:j], seen&cDefang != 0)
		}
		i = j
	}
}

// token refangs t if needed, then extracts URLs and, between them, the
// other observables.
func (k *sink) token(t string, maybeDefanged bool) {
	defanged := false
	if maybeDefanged {
		t, defanged = refang(t)
	}
	pos := 0
	for pos < len(t) {
		rel := strings.Index(t[pos:], "://")
		if rel < 0 {
			break
		}
		c := pos + rel
		ss := c
		for ss > pos && is(t[ss-1], cAlpha) {
			ss--
		}
		if schemeOK(t[ss:c]) {
			if u, end := k.x.parseURL(t, ss, c); end > 0 {
				k.atoms(t[pos:ss], defanged)
				k.emit(alert.URL, u.value)
				k.emit(u.hostType, u.host)
				pos = end
				continue
			}
		}
		k.atoms(t[pos:c+3], defanged)
		pos = c + 3
	}
	k.atoms(t[pos:], defanged)
}

func schemeOK(s string) bool {
	return strings.EqualFold(s, "http") || strings.EqualFold(s, "https") || strings.EqualFold(s, "ftp")
}

type urlParts struct {
	value    string
	host     string
	hostType alert.ObservableType
}

// parseURL parses the URL whose scheme spans t[ss:c] (c is the index of
// "://"). The URL runs to the end of the token unless the authority is
// followed by something other than / ? #; trailing punctuation and
// unbalanced closing brackets are trimmed. It returns the canonical parts
// and the end index, or end 0 when the URL is invalid.
func (x *Extractor) parseURL(t string, ss, c int) (urlParts, int) {
	a := c + 3
	e := a
	for e < len(t) && is(t[e], cAuth) {
		e++
	}
	hasPath := e < len(t) && (t[e] == '/' || t[e] == '?' || t[e] == '#')
	if !hasPath {
		e = trimURL(t, ss, a, e)
	}
	// The host is checked before the path is scanned, so that a token full
	// of invalid "://" costs time linear in its length.
	if e <= a {
		return urlParts{}, 0
	}
	auth := t[a:e]
	hs := strings.LastIndexByte(auth, '@') + 1 // host start within auth
	hostport := auth[hs:]
	var host, port string
	var ht alert.ObservableType
	if strings.HasPrefix(hostport, "[") {
		rb := strings.IndexByte(hostport, ']')
		if rb < 0 {
			return urlParts{}, 0
		}
		addr, err := netip.ParseAddr(hostport[1:rb])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return urlParts{}, 0
		}
		host, ht = addr.String(), alert.IPv6
		port = hostport[rb+1:]
		if port != "" && port[0] != ':' {
			return urlParts{}, 0
		}
	} else {
		hp := hostport
		if i := strings.LastIndexByte(hp, ':'); i >= 0 {
			hp, port = hp[:i], hp[i:]
		}
		switch {
		case parseIPv4(hp):
			host, ht = hp, alert.IPv4
		case x.domainOK(hp, false):
			host, ht = lowerASCII(hp), alert.Domain
		default:
			return urlParts{}, 0
		}
	}
	if port != "" {
		p := port[1:]
		if p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n > 65535 || p[0] == '+' || p[0] == '-' {
				return urlParts{}, 0
			}
		}
	}
	end := e
	if hasPath {
		for end < len(t) && t[end] < 0x80 && !is(t[end], cDelim) {
			end++
		}
		end = trimURL(t, ss, e, end)
	}
	var b strings.Builder
	b.Grow(end - ss)
	b.WriteString(strings.ToLower(t[ss:c]))
	b.WriteString("://")
	if hs > 0 {
		// A password in a URL is a secret, not an indicator: it is never
		// kept in an observable (and so never logged or stored).
		ui := auth[:hs-1]
		if i := strings.IndexByte(ui, ':'); i >= 0 {
			ui = ui[:i]
		}
		if ui != "" {
			b.WriteString(ui)
			b.WriteByte('@')
		}
	}
	if ht == alert.IPv6 {
		b.WriteByte('[')
		b.WriteString(host)
		b.WriteByte(']')
	} else {
		b.WriteString(host)
	}
	b.WriteString(port)
	b.WriteString(t[e:end])
	return urlParts{value: b.String(), host: host, hostType: ht}, end
}

// trimURL drops trailing punctuation from t[ss:end], but not before lo, and
// closing brackets without a matching opener in the URL, in time linear in
// its length.
func trimURL(t string, ss, lo, end int) int {
	var open, close [3]int // () [] {}
	for i := ss; i < end; i++ {
		switch t[i] {
		case '(':
			open[0]++
		case ')':
			close[0]++
		case '[':
			open[1]++
		case ']':
			close[1]++
		case '{':
			open[2]++
		case '}':
			close[2]++
		}
	}
	for end > lo {
		b := t[end-1]
		switch b {
		case '.', ',', ';', ':', '\'', '"', '!', '?', '>', '*':
			end--
			continue
		case ')', ']', '}':
			i := strings.IndexByte(")]}", b)
			if close[i] > open[i] {
				close[i]--
				end--
				continue
			}
		}
		break
	}
	return end
}

// atoms splits g into atoms (runs of [A-Za-z0-9._-@+:%] and non-ASCII) and
// extracts emails, IPv6 addresses and the observables of their pieces.
func (k *sink) atoms(g string, defanged bool) {
	i := 0
	for i < len(g) {
		for i < len(g) && !is(g[i], cAtom) {
			i++
		}
		j := i
		for j < len(g) && is(g[j], cAtom) {
			j++
		}
		if j-i >= 3 {
			k.atom(g[i:j], defanged)
		}
		i = j
	}
}

// atom handles one atom: email addresses first, the rest as non-email.
func (k *sink) atom(a string, defanged bool) {
	pos := 0
	for {
		rel := strings.IndexByte(a[pos:], '@')
		if rel < 0 {
			break
		}
		at := pos + rel
		ls := at
		for ls > pos && is(a[ls-1], cLocal) {
			ls--
		}
		de := at + 1
		for de < len(a) && (is(a[de], cLabel) || a[de] == '.') {
			de++
		}
		for de > at+1 && (a[de-1] == '.' || a[de-1] == '-') {
			de--
		}
		local, dom := a[ls:at], a[at+1:de]
		if localOK(local) && k.x.domainOK(dom, false) {
			k.plain(a[pos:ls], defanged)
			d := lowerASCII(dom)
			k.emit(alert.EmailAd, local+"@"+d)
			k.emit(alert.Domain, d)
			pos = de
			continue
		}
		k.plain(a[pos:at], defanged)
		pos = at + 1
	}
	k.plain(a[pos:], defanged)
}

// plain handles an atom part without a valid email: IPv6 literals, then
// pieces separated by : + % @.
func (k *sink) plain(a string, defanged bool) {
	if len(a) < 3 {
		return
	}
	colons := strings.Count(a, ":") >= 2
	i := 0
	for i < len(a) {
		if colons && is(a[i], cV6) && (i == 0 || !is(a[i-1], cV6)) {
			if next := k.ipv6(a, i); next > i {
				i = next
				continue
			}
		}
		if is(a[i], cPieceSep) {
			// A percent-encoded byte (%2F) separates like the byte it encodes.
			if a[i] == '%' && i+2 < len(a) && is(a[i+1], cHex) && is(a[i+2], cHex) {
				i += 3
				continue
			}
			i++
			continue
		}
		e := i
		for e < len(a) && !is(a[e], cPieceSep) {
			e++
		}
		k.piece(a[i:e], defanged)
		i = e
	}
}

// ipv6 tries the run of [0-9A-Fa-f:.] starting at a[i] as an IPv6 literal,
// optionally followed by a %zone. It returns the index after it, or i.
func (k *sink) ipv6(a string, i int) int {
	e := i
	for e < len(a) && is(a[e], cV6) {
		e++
	}
	s, runEnd := i, e
	if a[s] == ':' && !strings.HasPrefix(a[s:], "::") {
		s++
	}
	if e-1 > s && (a[e-1] == '.' || (a[e-1] == ':' && a[e-2] != ':')) {
		e--
	}
	// Two colons and a decimal digit at least: "a::b" and "dead::beef" are
	// valid literals but far more often C++ or Perl names.
	if e-s < 2 || strings.Count(a[s:e], ":") < 2 || !strings.ContainsAny(a[s:e], "0123456789") {
		return i
	}
	if s > 0 && is(a[s-1], cWord) {
		return i
	}
	next := e
	if e == runEnd && e < len(a) && a[e] == '%' {
		next = e + 1
		for next < len(a) && (is(a[next], cWord) || a[next] == '.' || a[next] == '-') {
			next++
		}
	} else if e < len(a) && is(a[e], cWord) {
		return i
	}
	if !v6Shape(a[s:e]) {
		return i // spares ParseAddr, whose errors allocate
	}
	addr, err := netip.ParseAddr(a[s:e])
	if err != nil || !addr.Is6() {
		return i
	}
	k.emit(alert.IPv6, addr.String())
	return next
}

// piece extracts hashes, CVEs, IPv4 addresses and a domain from a run of
// [A-Za-z0-9._-] (and non-ASCII bytes, which disqualify what they touch).
func (k *sink) piece(p string, defanged bool) {
	if len(p) < 3 {
		return
	}
	dot, alpha := false, false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '.':
			dot = true
		case is(p[i], cAlpha):
			alpha = true
		}
	}
	if len(p) >= 13 {
		k.hashesAndCVEs(p)
	}
	if !dot {
		return
	}
	k.ipv4s(p)
	if !alpha {
		return
	}
	d := strings.Trim(p, ".-")
	if k.x.domainOK(d, !defanged) {
		k.emit(alert.Domain, lowerASCII(d))
	}
}

// hashesAndCVEs finds hex runs of hash length and CVE identifiers bounded by
// non-word bytes.
func (k *sink) hashesAndCVEs(p string) {
	for i := 0; i < len(p); {
		if i > 0 && is(p[i-1], cWord) {
			i++
			continue
		}
		if n := cveAt(p[i:]); n > 0 {
			k.emit(alert.CVE, strings.ToUpper(p[i:i+n]))
			i += n
			continue
		}
		j := i
		for j < len(p) && is(p[j], cHex) {
			j++
		}
		if t, ok := hashType(j - i); ok && (j == len(p) || !is(p[j], cWord)) {
			k.emit(t, lowerASCII(p[i:j]))
		}
		if j == i {
			j++
		}
		i = j
	}
}

// ipv4s finds dotted quads: runs of [0-9.] not touching a word byte.
func (k *sink) ipv4s(p string) {
	for i := 0; i < len(p); {
		if !is(p[i], cDigit) {
			i++
			continue
		}
		j := i
		for j < len(p) && (is(p[j], cDigit) || p[j] == '.') {
			j++
		}
		if (i == 0 || !is(p[i-1], cWord)) && (j == len(p) || !is(p[j], cWord)) {
			c := p[i:j]
			if j == len(p) {
				c = strings.TrimSuffix(c, ".")
			}
			if parseIPv4(c) {
				k.emit(alert.IPv4, c)
			}
		}
		i = j
	}
}

// v6Shape is a cheap necessary condition for an IPv6 literal: groups of 1-4
// hex digits, at most one "::", eight groups without it and fewer with it
// (an embedded dotted quad, allowed last, counts as two).
func v6Shape(s string) bool {
	groups, double := 0, false
	for i := 0; i < len(s); {
		if s[i] == ':' {
			if i+1 < len(s) && s[i+1] == ':' {
				if double {
					return false
				}
				double = true
				i += 2
				continue
			}
			if i == 0 || i == len(s)-1 {
				return false
			}
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] != ':' {
			j++
		}
		if strings.IndexByte(s[i:j], '.') >= 0 {
			if j != len(s) || !parseIPv4(s[i:j]) {
				return false
			}
			groups += 2
		} else {
			if j-i > 4 {
				return false
			}
			groups++
		}
		i = j
	}
	if double {
		return groups < 8
	}
	return groups == 8
}
