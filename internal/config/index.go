package config

import (
	"cmp"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Resolve applies defaults, validates, and precomputes every tenant's
// lookups. Load, Parse and Default call it; call it yourself after building
// or editing a Config by hand. The Config must not change afterwards.
func (c *Config) Resolve() error {
	c.ApplyDefaults()
	if err := c.Validate(); err != nil {
		return err
	}
	c.buildIndexes()
	return nil
}

// buildIndexes precomputes every tenant's lookups of a valid Config.
func (c *Config) buildIndexes() {
	c.byID = make(map[string]int, len(c.Tenants))
	for i := range c.Tenants {
		c.byID[c.Tenants[i].ID] = i
		c.Tenants[i].ix = buildIndex(&c.Tenants[i], c.IOC.InternalDomains)
	}
}

// Tenant returns the tenant with the given ID.
func (c *Config) Tenant(id string) (*Tenant, bool) {
	if c.byID != nil {
		i, ok := c.byID[id]
		if !ok {
			return nil, false
		}
		return &c.Tenants[i], true
	}
	for i := range c.Tenants {
		if c.Tenants[i].ID == id {
			return &c.Tenants[i], true
		}
	}
	return nil, false
}

// Route returns the tenant an alert belongs to from the names of the agent
// that raised it and of the hosts it concerns: the first tenant, in file
// order, with a match.agent_names entry for agent or a match.hosts entry for
// one of hosts, else the default tenant. A CLI --tenant flag overrides it.
func (c *Config) Route(agent string, hosts ...string) *Tenant {
	for i := range c.Tenants {
		t := &c.Tenants[i]
		if agent != "" && matchAny(t.Match.AgentNames, agent) {
			return t
		}
		for _, h := range hosts {
			if h != "" && matchAny(t.Match.Hosts, h) {
				return t
			}
		}
	}
	t, _ := c.Tenant(c.DefaultTenant)
	return t
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if len(name) >= len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
				return true
			}
		} else if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

// index returns the tenant's precomputed lookups, building them on the fly
// (slowly, on every call) for a Tenant that was never resolved.
func (t *Tenant) index() *tenantIndex {
	if t.ix != nil {
		return t.ix
	}
	return buildIndex(t, nil)
}

// Location is the tenant's time zone (UTC if its name does not resolve).
func (t *Tenant) Location() *time.Location { return t.index().loc }

// Asset finds an inventory entry by host name or IP address. Names match
// case-insensitively, in full or by their short form before the first dot
// (a short name shared by two assets matches neither); addresses match an
// exact IP first, then the longest CIDR that contains them.
func (t *Tenant) Asset(hostOrIP string) (Asset, bool) {
	ix := t.index()
	key := strings.TrimSpace(hostOrIP)
	if key == "" {
		return Asset{}, false
	}
	if a, err := parseAddrFast(key); err == nil {
		a = a.WithZone("").Unmap()
		if i, ok := ix.byIP[a]; ok {
			return t.Assets[i], true
		}
		for _, pt := range ix.prefixes {
			if pt.v6 != a.Is6() {
				continue
			}
			pfx, _ := a.Prefix(pt.bits)
			if i, ok := pt.m[pfx]; ok {
				return t.Assets[i], true
			}
		}
		return Asset{}, false
	}
	key = strings.ToLower(strings.TrimSuffix(key, "."))
	if i, ok := ix.byName[key]; ok {
		return t.Assets[i], true
	}
	short, _, _ := strings.Cut(key, ".")
	if i, ok := ix.byName[short]; ok {
		return t.Assets[i], true
	}
	if i, ok := ix.byShort[short]; ok {
		return t.Assets[i], true
	}
	return Asset{}, false
}

// errNotAddr is what parseAddrFast returns for an obvious host name.
var errNotAddr = errors.New("not an IP address")

// parseAddrFast is netip.ParseAddr that rejects most host names before
// parsing, since netip allocates an error for each of them: an address has
// only hex digits, '.' and ':' before any "%zone".
func parseAddrFast(s string) (netip.Addr, error) {
	head, _, _ := strings.Cut(s, "%")
	for i := 0; i < len(head); i++ {
		c := head[i]
		if (c < '0' || c > '9') && (c|0x20 < 'a' || c|0x20 > 'f') && c != '.' && c != ':' {
			return netip.Addr{}, errNotAddr
		}
	}
	return netip.ParseAddr(s)
}

// Identity finds a known account case-insensitively, as written or by its
// bare user name: "CORP\alice" and "alice@corp.example.com" both find
// "alice" (a bare name shared by two identities matches neither).
func (t *Tenant) Identity(user string) (Identity, bool) {
	ix := t.index()
	key := strings.ToLower(strings.TrimSpace(user))
	if key == "" {
		return Identity{}, false
	}
	if i, ok := ix.users[key]; ok {
		return t.Identities[i], true
	}
	bare := bareUser(key)
	if i, ok := ix.users[bare]; ok {
		return t.Identities[i], true
	}
	if i, ok := ix.bareUsers[bare]; ok {
		return t.Identities[i], true
	}
	return Identity{}, false
}

// bareUser strips a DOMAIN\ prefix and an @domain suffix.
func bareUser(s string) string {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i > 0 {
		s = s[:i]
	}
	return s
}

// InBusinessHours reports whether ts falls in the tenant's working week,
// in the tenant's time zone. A window that ends before it starts runs past
// midnight: its early-morning part belongs to the previous day.
func (t *Tenant) InBusinessHours(ts time.Time) bool {
	ix := t.index()
	local := ts.In(ix.loc)
	m := local.Hour()*60 + local.Minute()
	day := local.Weekday()
	if ix.start < ix.end {
		return ix.days[day] && m >= ix.start && m < ix.end
	}
	prev := (day + 6) % 7
	return (ix.days[day] && m >= ix.start) || (ix.days[prev] && m < ix.end)
}

// IsInternalDomain reports whether name is one of the tenant's or the
// global internal domains, or a subdomain of one.
func (t *Tenant) IsInternalDomain(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, d := range t.index().domains {
		if name == d || (len(name) > len(d) && strings.HasSuffix(name, d) && name[len(name)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}

// buildIndex precomputes t's lookups. It tolerates invalid values (they
// were reported by Validate) by skipping them.
func buildIndex(t *Tenant, globalDomains []string) *tenantIndex {
	ix := &tenantIndex{
		byName:    make(map[string]int, len(t.Assets)),
		byShort:   make(map[string]int, len(t.Assets)),
		byIP:      map[netip.Addr]int{},
		users:     make(map[string]int, len(t.Identities)),
		bareUsers: make(map[string]int, len(t.Identities)),
	}
	ix.loc = time.UTC
	if loc, err := time.LoadLocation(t.TimeZone); err == nil && t.TimeZone != "" {
		ix.loc = loc
	}
	for _, d := range t.BusinessHours.Days {
		if wd, ok := weekdays[d]; ok {
			ix.days[wd] = true
		}
	}
	ix.start, _ = parseClock(t.BusinessHours.Start)
	ix.end, _ = parseClock(t.BusinessHours.End)

	ambiguous := map[string]bool{}
	tables := map[[2]int]map[netip.Prefix]int{}
	for i, a := range t.Assets {
		name := strings.ToLower(strings.TrimSuffix(a.Name, "."))
		if name != "" {
			if _, dup := ix.byName[name]; !dup {
				ix.byName[name] = i
			}
			if short, _, found := strings.Cut(name, "."); found {
				addUnique(ix.byShort, ambiguous, short, i)
			}
		}
		for _, s := range a.IPs {
			pfx, err := parseIPOrPrefix(s)
			if err != nil {
				continue
			}
			if pfx.IsSingleIP() {
				if _, dup := ix.byIP[pfx.Addr()]; !dup {
					ix.byIP[pfx.Addr()] = i
				}
				continue
			}
			k := [2]int{pfx.Bits(), pfx.Addr().BitLen()}
			if tables[k] == nil {
				tables[k] = map[netip.Prefix]int{}
			}
			if _, dup := tables[k][pfx]; !dup {
				tables[k][pfx] = i
			}
		}
	}
	for k, m := range tables {
		ix.prefixes = append(ix.prefixes, prefixTable{bits: k[0], v6: k[1] == 128, m: m})
	}
	slices.SortFunc(ix.prefixes, func(a, b prefixTable) int { return cmp.Compare(b.bits, a.bits) })

	clear(ambiguous)
	for i, id := range t.Identities {
		key := strings.ToLower(strings.TrimSpace(id.User))
		if key == "" {
			continue
		}
		if _, dup := ix.users[key]; !dup {
			ix.users[key] = i
		}
		if bare := bareUser(key); bare != key && bare != "" {
			addUnique(ix.bareUsers, ambiguous, bare, i)
		}
	}

	for _, d := range slices.Concat(globalDomains, t.InternalDomains) {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if d != "" && !slices.Contains(ix.domains, d) {
			ix.domains = append(ix.domains, d)
		}
	}
	return ix
}

// addUnique maps key to i unless another index already claimed it, in
// which case the key is ambiguous and maps to nothing.
func addUnique(m map[string]int, ambiguous map[string]bool, key string, i int) {
	if ambiguous[key] {
		return
	}
	if _, dup := m[key]; dup {
		delete(m, key)
		ambiguous[key] = true
		return
	}
	m[key] = i
}
