package correlate

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// key is one linking entity: an observable type and its canonical value.
// Hosts and users are the burst keys; every key links kill chains.
type key struct {
	typ alert.ObservableType
	val string
}

func (k key) burst() bool { return k.typ == alert.HostID || k.typ == alert.UserID }

func (k key) String() string { return kindName(k.typ) + " " + k.val }

func (k key) observable() alert.Observable { return alert.Observable{Type: k.typ, Value: k.val} }

func kindName(t alert.ObservableType) string {
	switch t {
	case alert.HostID:
		return "host"
	case alert.UserID:
		return "user"
	case alert.IPv4, alert.IPv6:
		return "ip"
	}
	return string(t)
}

func compareKeys(a, b key) int {
	if c := strings.Compare(string(a.typ), string(b.typ)); c != 0 {
		return c
	}
	return strings.Compare(a.val, b.val)
}

// documentation holds the address blocks reserved for examples, which never
// name a real machine.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// keys returns the distinct linking entities of an event, sorted. They come
// from the alert's structured entities and from the extracted observables,
// so that a hand-built event and a pipeline event link alike.
func (c *Correlator) keys(dst []key, ev *Event) []key {
	e := &ev.Alert.Entities
	add := func(t alert.ObservableType, v string) {
		if k, ok := c.canonical(t, v); ok {
			dst = append(dst, k)
		}
	}
	for _, h := range e.Hosts {
		add(alert.HostID, h.Name)
		add(alert.IPv4, h.IP)
	}
	for _, u := range e.Users {
		add(alert.UserID, u.Name)
	}
	for _, eps := range [][]alert.Endpoint{e.Src, e.Dst} {
		for _, ep := range eps {
			add(alert.IPv4, ep.IP)
			if strings.Contains(ep.Hostname, ".") {
				add(alert.Domain, ep.Hostname)
			} else {
				add(alert.HostID, ep.Hostname)
			}
		}
	}
	for _, f := range e.Files {
		add(alert.MD5, f.MD5)
		add(alert.SHA1, f.SHA1)
		add(alert.SHA256, f.SHA256)
	}
	for _, d := range e.Domains {
		add(alert.Domain, d)
	}
	for _, u := range e.URLs {
		add(alert.URL, u)
	}
	for i := range ev.Observables {
		o := &ev.Observables[i]
		if o.Class == "loopback" || o.Class == "reserved" {
			continue
		}
		add(o.Type, o.Value)
	}
	slices.SortFunc(dst, compareKeys)
	return slices.CompactFunc(dst, func(a, b key) bool { return a == b })
}

// canonical maps one value onto its linking key; ok is false for values
// that must not link (empty, unparsable, ubiquitous or ignored addresses,
// types that do not identify a shared entity).
func (c *Correlator) canonical(t alert.ObservableType, v string) (key, bool) {
	v = strings.TrimSpace(v)
	if v == "" || v == "-" {
		return key{}, false
	}
	switch t {
	case alert.IPv4, alert.IPv6:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return key{}, false
		}
		a = a.Unmap().WithZone("")
		if !c.linkingIP(a) {
			return key{}, false
		}
		t = alert.IPv4
		if a.Is6() {
			t = alert.IPv6
		}
		return key{t, a.String()}, true
	case alert.HostID:
		v = strings.ToLower(v)
		if a, err := netip.ParseAddr(v); err == nil {
			return c.canonical(alert.IPv4, a.String())
		}
		// A fully qualified name and the short name are the same machine.
		if i := strings.IndexByte(v, '.'); i > 0 {
			v = v[:i]
		}
		if _, err := netip.ParseAddr(v); err == nil {
			return key{}, false // a mangled address names no machine
		}
		return finish(t, v)
	case alert.UserID:
		v = strings.ToLower(v)
		// DOMAIN\name and name@domain are the same account as name.
		if i := strings.LastIndexByte(v, '\\'); i >= 0 {
			v = v[i+1:]
		}
		if i := strings.IndexByte(v, '@'); i >= 0 {
			v = v[:i]
		}
		return finish(t, v)
	case alert.Domain, alert.MD5, alert.SHA1, alert.SHA256:
		return finish(t, strings.ToLower(strings.Trim(v, ". \t\r\n")))
	case alert.URL:
		return finish(t, v)
	}
	return key{}, false
}

// finish trims what normalisation exposed and refuses an empty value, so
// that a canonical value maps onto itself.
func finish(t alert.ObservableType, v string) (key, bool) {
	v = strings.TrimSpace(v)
	if v == "" || v == "-" {
		return key{}, false
	}
	return key{t, v}, true
}

// linkingIP reports whether an address identifies one machine worth
// linking on: private addresses do, loopback, link-local, multicast,
// unspecified, documentation and configured infrastructure do not.
func (c *Correlator) linkingIP(a netip.Addr) bool {
	if a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return false
		}
	}
	for _, p := range c.ignore {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
