package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones validate the same on hosts without zoneinfo
)

// FieldError is one problem with one configuration value.
type FieldError struct {
	// Path is the value's YAML path, as in "tenants[1].thresholds.escalate".
	Path string
	// Origin is "file:line" when the value came from a CSV file.
	Origin string
	// Msg says what is wrong, in lower case.
	Msg string
}

func (e *FieldError) Error() string {
	if e.Origin != "" {
		return e.Origin + ": " + e.Path + ": " + e.Msg
	}
	return e.Path + ": " + e.Msg
}

var tenantIDPattern = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// problems collects FieldErrors in the order they are found.
type problems []error

func (p *problems) add(path, origin, format string, args ...any) {
	*p = append(*p, &FieldError{Path: path, Origin: origin, Msg: fmt.Sprintf(format, args...)})
}

// Validate reports every problem in c at once, joined with errors.Join;
// each is a *FieldError naming the value's YAML path. It does no I/O (time
// zones come from the embedded tzdata) and does not apply defaults, so
// call ApplyDefaults first on a hand-built Config.
func (c *Config) Validate() error {
	var p problems
	if c.DataDir == "" {
		p.add("data_dir", "", "required")
	}
	c.Intel.validate(&p)
	c.Formats.validate(&p)
	validateEnrichers(&p, c.Enrichers, c.EnrichDeadline)
	for i, d := range c.IOC.InternalDomains {
		validateDomain(&p, fmt.Sprintf("ioc.internal_domains[%d]", i), d)
	}
	if len(c.Tenants) == 0 {
		p.add("tenants", "", "at least one tenant required")
	}
	ids := make(map[string]int, len(c.Tenants))
	agents := map[string]string{}
	hosts := map[string]string{}
	for i := range c.Tenants {
		t := &c.Tenants[i]
		path := fmt.Sprintf("tenants[%d]", i)
		t.validate(&p, path)
		if t.ID != "" {
			if j, dup := ids[t.ID]; dup {
				p.add(path+".id", "", "duplicate tenant %q (also tenants[%d])", t.ID, j)
			} else {
				ids[t.ID] = i
			}
		}
		validateMatch(&p, path+".match.agent_names", t.ID, t.Match.AgentNames, agents)
		validateMatch(&p, path+".match.hosts", t.ID, t.Match.Hosts, hosts)
	}
	if c.DefaultTenant == "" {
		p.add("default_tenant", "", "required")
	} else if _, ok := ids[c.DefaultTenant]; !ok {
		p.add("default_tenant", "", "unknown tenant %q", c.DefaultTenant)
	}
	return errors.Join(p...)
}

func (in *Intel) validate(p *problems) {
	if in.IPsumMaliciousMin < 1 {
		p.add("intel.ipsum_malicious_min", "", "must be >= 1, got %d", in.IPsumMaliciousMin)
	}
	names := map[string]int{}
	for i, f := range in.Feeds {
		path := fmt.Sprintf("intel.feeds[%d]", i)
		switch {
		case f.Name == "":
			p.add(path+".name", "", "required")
		case names[f.Name] > 0:
			p.add(path+".name", "", "duplicate feed %q (also intel.feeds[%d])", f.Name, names[f.Name]-1)
		default:
			names[f.Name] = i + 1
		}
		switch f.Kind {
		case FeedMaltrail, FeedIPsum, FeedTor, FeedMISPWarninglists, FeedSTIX, FeedASN, FeedMMDBCountry:
		case "":
			p.add(path+".kind", "", "required, one of %s", feedKindsForMessages)
		default:
			p.add(path+".kind", "", "unknown kind %q, want one of %s", f.Kind, feedKindsForMessages)
		}
		if f.Path == "" {
			p.add(path+".path", "", "required")
		}
		if len(f.Reliability) != 1 || f.Reliability[0] < 'A' || f.Reliability[0] > 'F' {
			p.add(path+".reliability", "", "%q: must be one of %s", f.Reliability, reliabilityForMessage)
		}
		if f.URL != "" {
			u, err := url.Parse(f.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.add(path+".url", "", "%q: must be an absolute http or https URL", f.URL)
			}
		}
	}
}

func (t *Tenant) validate(p *problems, path string) {
	if !tenantIDPattern.MatchString(t.ID) {
		if t.ID == "" {
			p.add(path+".id", "", "required")
		} else {
			p.add(path+".id", "", "%q: must match [a-z0-9_-]{1,64}", t.ID)
		}
	}
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" {
		p.add(path+".time_zone", "", "%q: not an IANA time zone", t.TimeZone)
	}
	t.BusinessHours.validate(p, path+".business_hours")
	t.Thresholds.validate(p, path+".thresholds")
	switch t.Mode {
	case ModeShadow, ModeAssisted, ModeSemiAutonomous, ModeAutonomous:
	default:
		p.add(path+".mode", "", "%q: must be one of shadow, assisted, semi_autonomous, autonomous", t.Mode)
	}
	for i, d := range t.InternalDomains {
		validateDomain(p, fmt.Sprintf("%s.internal_domains[%d]", path, i), d)
	}
	t.validateAssets(p, path)
	t.validateIdentities(p, path)
}

func (b *BusinessHours) validate(p *problems, path string) {
	seen := map[string]bool{}
	for i, d := range b.Days {
		dp := fmt.Sprintf("%s.days[%d]", path, i)
		if _, ok := weekdays[d]; !ok {
			p.add(dp, "", "%q: must be one of mon, tue, wed, thu, fri, sat, sun", d)
		} else if seen[d] {
			p.add(dp, "", "duplicate day %q", d)
		}
		seen[d] = true
	}
	start, err1 := parseClock(b.Start)
	if err1 != nil {
		p.add(path+".start", "", "%v", err1)
	} else if start == 24*60 {
		p.add(path+".start", "", "%q: must be before 24:00", b.Start)
	}
	end, err2 := parseClock(b.End)
	if err2 != nil {
		p.add(path+".end", "", "%v", err2)
	}
	if err1 == nil && err2 == nil && start == end {
		p.add(path+".end", "", "must differ from start %q", b.Start)
	}
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" is 1440.
func parseClock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || h < 0 || m < 0 ||
		m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q: want HH:MM between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

func (th *Thresholds) validate(p *problems, path string) {
	for _, f := range []struct {
		name string
		v    int
	}{{"escalate", th.Escalate}, {"investigate", th.Investigate}, {"review", th.Review}, {"auto_close_below", th.AutoCloseBelow}} {
		if f.v < 0 || f.v > 100 {
			p.add(path+"."+f.name, "", "must be within 0-100, got %d", f.v)
		}
	}
	if th.Escalate <= th.Investigate {
		p.add(path+".escalate", "", "must be > investigate (%d <= %d)", th.Escalate, th.Investigate)
	}
	if th.Investigate <= th.Review {
		p.add(path+".investigate", "", "must be > review (%d <= %d)", th.Investigate, th.Review)
	}
	if th.AutoCloseBelow > th.Review {
		p.add(path+".auto_close_below", "", "must be <= review (%d > %d)", th.AutoCloseBelow, th.Review)
	}
}

func (t *Tenant) validateAssets(p *problems, path string) {
	names := map[string]string{}
	addrs := map[netip.Prefix]string{}
	for i := range t.Assets {
		a := &t.Assets[i]
		ap := fmt.Sprintf("%s.assets[%d]", path, i)
		if a.Name == "" {
			p.add(ap+".name", a.origin, "required")
		} else if prev, dup := names[strings.ToLower(a.Name)]; dup {
			p.add(ap+".name", a.origin, "duplicate asset %q (also %s)", a.Name, prev)
		} else {
			names[strings.ToLower(a.Name)] = where(ap, a.origin)
		}
		for j, s := range a.IPs {
			pfx, err := parseIPOrPrefix(s)
			if err != nil {
				p.add(fmt.Sprintf("%s.ips[%d]", ap, j), a.origin, "%v", err)
				continue
			}
			if prev, dup := addrs[pfx]; dup {
				p.add(fmt.Sprintf("%s.ips[%d]", ap, j), a.origin, "%s already belongs to %s", s, prev)
				continue
			}
			addrs[pfx] = where(ap, a.origin)
		}
		switch a.Criticality {
		case CriticalityLow, CriticalityMedium, CriticalityHigh, CriticalityCritical:
		default:
			p.add(ap+".criticality", a.origin, "%q: must be one of low, medium, high, critical", a.Criticality)
		}
	}
}

func (t *Tenant) validateIdentities(p *problems, path string) {
	users := map[string]string{}
	for i := range t.Identities {
		id := &t.Identities[i]
		ip := fmt.Sprintf("%s.identities[%d]", path, i)
		key := strings.ToLower(strings.TrimSpace(id.User))
		if key == "" {
			p.add(ip+".user", id.origin, "required")
		} else if prev, dup := users[key]; dup {
			p.add(ip+".user", id.origin, "duplicate identity %q (also %s)", id.User, prev)
		} else {
			users[key] = where(ip, id.origin)
		}
		switch id.Role {
		case RoleUser, RoleAdmin, RoleService, RoleExecutive:
		default:
			p.add(ip+".role", id.origin, "%q: must be one of user, admin, service, executive", id.Role)
		}
	}
}

// where names an entry by its CSV origin when it has one, else its path.
func where(path, origin string) string {
	if origin != "" {
		return origin
	}
	return path
}

// parseIPOrPrefix parses an address or CIDR into a masked prefix (a single
// address is a full-length prefix). IPv4-mapped IPv6 is unmapped.
func parseIPOrPrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q: not an IP address or CIDR", s)
		}
		if pfx.Addr().Is4In6() {
			bits := pfx.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, fmt.Errorf("%q: IPv4-mapped prefix shorter than /96", s)
			}
			pfx = netip.PrefixFrom(pfx.Addr().Unmap(), bits)
		}
		return pfx.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q: not an IP address or CIDR", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// validateDomain accepts a DNS name: dot-separated labels of letters,
// digits, '-' and '_', without a scheme, port or wildcard.
func validateDomain(p *problems, path, d string) {
	name := strings.TrimSuffix(d, ".")
	ok := name != "" && len(name) <= 253
	for l := range strings.SplitSeq(name, ".") {
		if !ok {
			break
		}
		ok = len(l) >= 1 && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
		for i := 0; ok && i < len(l); i++ {
			c := l[i] | 0x20
			ok = (c >= 'a' && c <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '-' || l[i] == '_'
		}
	}
	if !ok {
		p.add(path, "", "%q: not a domain name", d)
	}
}

// validateMatch checks routing patterns and that no pattern routes to two
// tenants; claimed maps a lower-cased pattern to the tenant that has it.
func validateMatch(p *problems, path, tenant string, patterns []string, claimed map[string]string) {
	for i, pat := range patterns {
		pp := fmt.Sprintf("%s[%d]", path, i)
		key := strings.ToLower(strings.TrimSpace(pat))
		switch {
		case key == "":
			p.add(pp, "", "empty pattern")
		case key == "*":
			p.add(pp, "", "\"*\" matches every name: set default_tenant instead")
		case strings.Contains(strings.TrimSuffix(key, "*"), "*"):
			p.add(pp, "", "%q: '*' is only allowed at the end", pat)
		default:
			if prev, dup := claimed[key]; dup {
				p.add(pp, "", "%q already routes to tenant %q", pat, prev)
			} else {
				claimed[key] = tenant
			}
		}
	}
}
