package config

import (
	"testing"
	"time"
)

// lookupTenant builds a resolved tenant for lookup tests.
func lookupTenant(t *testing.T) *Tenant {
	t.Helper()
	c := &Config{
		IOC: IOC{InternalDomains: []string{"Corp.Example.com."}},
		Tenants: []Tenant{{
			ID:              "acme",
			TimeZone:        "Europe/Paris",
			InternalDomains: []string{"acme.example"},
			Assets: []Asset{
				{Name: "dc01.acme.example", IPs: []string{"10.0.0.10"}, Criticality: CriticalityCritical},
				{Name: "web01", IPs: []string{"10.0.1.0/24", "2001:db8::/32"}},
				{Name: "office", IPs: []string{"10.0.0.0/8"}, Criticality: CriticalityLow},
				{Name: "app.east.example", IPs: []string{"192.0.2.1"}},
				{Name: "app.west.example", IPs: []string{"::ffff:192.0.2.2"}},
			},
			Identities: []Identity{
				{User: "alice", VIP: true, Role: RoleExecutive},
				{User: `CORP\bob`, Role: RoleAdmin},
				{User: "carol@corp.example.com"},
				{User: `EAST\dave`},
				{User: `WEST\dave`},
			},
		}},
	}
	if err := c.Resolve(); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	tn, _ := c.Tenant("acme")
	return tn
}

func TestTenantAsset(t *testing.T) {
	tn := lookupTenant(t)
	tests := []struct {
		in   string
		want string // asset name, "" for none
	}{
		{"dc01.acme.example", "dc01.acme.example"},
		{"DC01.ACME.EXAMPLE.", "dc01.acme.example"},
		{"dc01", "dc01.acme.example"},
		{"web01", "web01"},
		{"WEB01.acme.example", "web01"},
		{"10.0.0.10", "dc01.acme.example"},
		{"10.0.1.77", "web01"},   // the /24 beats the /8
		{"10.200.3.4", "office"}, // only the /8 contains it
		{"::ffff:10.0.0.10", "dc01.acme.example"},
		{"2001:db8:1::5", "web01"},
		{"fe80::1%eth0", ""},
		{"192.0.2.2", "app.west.example"}, // configured IPv4-mapped
		{"app", ""},                       // short name shared by two assets
		{"app.east.example", "app.east.example"},
		{"11.0.0.1", ""},
		{"dead.beef", ""}, // hex-only host name: parsed as an address, misses
		{"2001:db9::1", ""},
		{"unknown", ""},
		{"", ""},
		{"   ", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, ok := tn.Asset(tc.in)
			if ok != (tc.want != "") || a.Name != tc.want {
				t.Errorf("Asset(%q) = %q, %v; want %q", tc.in, a.Name, ok, tc.want)
			}
		})
	}
}

func TestTenantIdentity(t *testing.T) {
	tn := lookupTenant(t)
	tests := []struct {
		in   string
		want string
	}{
		{"alice", "alice"},
		{"ALICE", "alice"},
		{`CORP\Alice`, "alice"},
		{"alice@corp.example.com", "alice"},
		{`corp\bob`, `CORP\bob`},
		{"bob", `CORP\bob`},
		{"bob@corp.example.com", `CORP\bob`},
		{"carol", "carol@corp.example.com"},
		{`OTHER\carol`, "carol@corp.example.com"},
		{`east\dave`, `EAST\dave`},
		{"dave", ""}, // two identities share the bare name
		{"mallory", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			id, ok := tn.Identity(tc.in)
			if ok != (tc.want != "") || id.User != tc.want {
				t.Errorf("Identity(%q) = %q, %v; want %q", tc.in, id.User, ok, tc.want)
			}
		})
	}
}

func TestTenantInBusinessHours(t *testing.T) {
	paris := lookupTenant(t) // Mon-Fri 08:00-18:00 Europe/Paris (defaults)
	night := &Tenant{ID: "n", TimeZone: "America/New_York",
		BusinessHours: BusinessHours{Days: []string{"mon"}, Start: "22:00", End: "06:00"}}
	allDay := &Tenant{ID: "d", TimeZone: "UTC",
		BusinessHours: BusinessHours{Days: []string{"sat"}, Start: "00:00", End: "24:00"}}
	for _, tn := range []*Tenant{night, allDay} {
		c := &Config{Tenants: []Tenant{*tn}}
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		*tn = c.Tenants[0]
	}
	tests := []struct {
		name string
		tn   *Tenant
		ts   string
		want bool
	}{
		{"paris monday 09:00 local in winter", paris, "2026-01-05T08:00:00Z", true},
		{"paris monday 07:59 local", paris, "2026-01-05T06:59:00Z", false},
		{"paris start is inclusive", paris, "2026-01-05T07:00:00Z", true},
		{"paris end is exclusive", paris, "2026-01-05T17:00:00Z", false},
		{"paris summer time shifts utc", paris, "2026-07-06T06:30:00Z", true},
		{"paris saturday", paris, "2026-01-10T10:00:00Z", false},
		{"paris friday late utc is saturday local", paris, "2026-01-09T23:30:00Z", false},
		{"night monday 23:00 ny", night, "2026-01-06T04:00:00Z", true},
		{"night tuesday 05:00 ny belongs to monday", night, "2026-01-06T10:00:00Z", true},
		{"night tuesday 06:00 ny", night, "2026-01-06T11:00:00Z", false},
		{"night monday 05:00 ny belongs to sunday", night, "2026-01-05T10:00:00Z", false},
		{"night tuesday 22:00 ny", night, "2026-01-07T03:00:00Z", false},
		{"all day saturday midnight", allDay, "2026-01-10T00:00:00Z", true},
		{"all day saturday 23:59", allDay, "2026-01-10T23:59:59Z", true},
		{"all day sunday", allDay, "2026-01-11T00:00:00Z", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := time.Parse(time.RFC3339, tc.ts)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.tn.InBusinessHours(ts); got != tc.want {
				t.Errorf("InBusinessHours(%s) = %v, want %v", ts.In(tc.tn.Location()), got, tc.want)
			}
		})
	}
}

func TestTenantIsInternalDomain(t *testing.T) {
	tn := lookupTenant(t)
	tests := []struct {
		in   string
		want bool
	}{
		{"corp.example.com", true},
		{"MAIL.corp.example.com.", true},
		{"acme.example", true},
		{"x.y.acme.example", true},
		{"evilacme.example", false},
		{"corp.example.com.evil.io", false},
		{"example.com", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := tn.IsInternalDomain(tc.in); got != tc.want {
				t.Errorf("IsInternalDomain(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestConfigRoute(t *testing.T) {
	c := &Config{
		DefaultTenant: "fallback",
		Tenants: []Tenant{
			{ID: "fallback"},
			{ID: "acme", Match: Match{AgentNames: []string{"acme-*"}, Hosts: []string{"dc01"}}},
			{ID: "globex", Match: Match{Hosts: []string{"GX-*"}}},
		},
	}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		agent string
		hosts []string
		want  string
	}{
		{"agent prefix", "ACME-wazuh-01", nil, "acme"},
		{"host exact", "", []string{"DC01"}, "acme"},
		{"host exact is not a prefix", "", []string{"dc012"}, "fallback"},
		{"host prefix", "sensor", []string{"other", "gx-web01"}, "globex"},
		{"short name shorter than prefix", "acme", []string{"gx"}, "fallback"},
		{"nothing matches", "sensor", []string{"web01"}, "fallback"},
		{"no names", "", nil, "fallback"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Route(tc.agent, tc.hosts...); got == nil || got.ID != tc.want {
				t.Errorf("Route(%q, %q) = %v, want %s", tc.agent, tc.hosts, got, tc.want)
			}
		})
	}
}

func TestUnresolvedTenantStillLooksUp(t *testing.T) {
	tn := &Tenant{ID: "raw", TimeZone: "Asia/Tokyo",
		Assets:     []Asset{{Name: "web01.raw.example", IPs: []string{"10.1.0.0/16"}}},
		Identities: []Identity{{User: "alice"}}}
	if a, ok := tn.Asset("10.1.2.3"); !ok || a.Name != "web01.raw.example" {
		t.Errorf("Asset = %+v, %v", a, ok)
	}
	if _, ok := tn.Identity(`X\alice`); !ok {
		t.Error("Identity(X\\alice) not found")
	}
	if got := tn.Location().String(); got != "Asia/Tokyo" {
		t.Errorf("Location = %s", got)
	}
	c := &Config{Tenants: []Tenant{*tn}}
	if got, ok := c.Tenant("raw"); !ok || got != &c.Tenants[0] {
		t.Errorf("unresolved Config.Tenant(raw) = %p, %v", got, ok)
	}
	if _, ok := c.Tenant("other"); ok {
		t.Error("unresolved Config.Tenant(other) found")
	}
}
