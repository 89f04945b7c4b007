package ioc

import (
	"net/netip"
	"strings"
)

// IP classes returned by ClassifyIP.
const (
	ClassLoopback = "loopback"
	ClassPrivate  = "private"
	ClassReserved = "reserved"
	ClassPublic   = "public"
)

// Domain classes returned by ClassifyDomain.
const (
	ClassInternal = "internal"
	ClassExternal = "external"
)

// builtinInternal are suffixes that never resolve on the public Internet.
var builtinInternal = []string{"local", "internal", "lan", "home.arpa"}

// reservedPrefixes are ranges that are neither private nor routable on the
// public Internet: documentation, benchmarking, "this network", class E.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"), // includes 255.255.255.255
	netip.MustParsePrefix("2001:db8::/32"),
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// ClassifyIP returns "loopback", "private" (RFC 1918, CGNAT 100.64/10, ULA
// fc00::/7), "reserved" (link-local, multicast, unspecified, documentation,
// benchmarking, 0/8, 240/4 and broadcast) or "public". IPv4-mapped IPv6
// addresses are classified as their IPv4 address; an invalid address is
// "reserved".
func ClassifyIP(a netip.Addr) string {
	if !a.IsValid() {
		return ClassReserved
	}
	a = a.Unmap().WithZone("")
	switch {
	case a.IsLoopback():
		return ClassLoopback
	case a.IsPrivate(), cgnat.Contains(a):
		return ClassPrivate
	case a.IsUnspecified(), a.IsLinkLocalUnicast(), a.IsMulticast(),
		a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return ClassReserved
	}
	for _, p := range reservedPrefixes {
		if p.Contains(a) {
			return ClassReserved
		}
	}
	return ClassPublic
}

// ClassifyDomain returns "internal" when d equals or is a subdomain of a
// configured internal suffix or of .local, .internal, .lan or .home.arpa, and
// "external" otherwise. The comparison ignores case and a trailing dot.
func (x *Extractor) ClassifyDomain(d string) string {
	if x.isInternal(strings.TrimSuffix(d, ".")) {
		return ClassInternal
	}
	return ClassExternal
}

func (x *Extractor) isInternal(d string) bool {
	for _, s := range x.internal {
		if hasDomainSuffix(d, s) {
			return true
		}
	}
	return false
}

// hasDomainSuffix reports whether d is suffix or a subdomain of it, ignoring
// ASCII case; it does not allocate.
func hasDomainSuffix(d, suffix string) bool {
	if len(d) < len(suffix) || !strings.EqualFold(d[len(d)-len(suffix):], suffix) {
		return false
	}
	return len(d) == len(suffix) || d[len(d)-len(suffix)-1] == '.'
}
