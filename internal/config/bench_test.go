package config

import (
	"fmt"
	"testing"
	"time"
)

// benchTenant is a tenant with a realistic inventory: 5,000 named hosts,
// 200 subnets of mixed sizes and 5,000 identities.
func benchTenant(b *testing.B) *Tenant {
	b.Helper()
	tn := Tenant{ID: "bench", TimeZone: "Europe/Paris"}
	for i := range 5000 {
		tn.Assets = append(tn.Assets, Asset{
			Name: fmt.Sprintf("host%04d.corp.example", i),
			IPs:  []string{fmt.Sprintf("10.%d.%d.%d", 100+i/65536, (i/256)%256, i%256)},
		})
		tn.Identities = append(tn.Identities, Identity{User: fmt.Sprintf("user%04d", i)})
	}
	for i := range 200 {
		tn.Assets = append(tn.Assets, Asset{
			Name: fmt.Sprintf("net%03d", i),
			IPs:  []string{fmt.Sprintf("172.%d.%d.0/%d", 16+i%16, i, 20+i%5)},
		})
	}
	c := &Config{Tenants: []Tenant{tn}}
	if err := c.Resolve(); err != nil {
		b.Fatal(err)
	}
	return &c.Tenants[0]
}

func BenchmarkTenantAsset(b *testing.B) {
	tn := benchTenant(b)
	for _, k := range []string{"HOST4242.corp.example", "host4242", "10.100.16.146", "172.20.4.9", "192.0.2.1"} {
		b.Run(k, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tn.Asset(k)
			}
		})
	}
}

func BenchmarkTenantIdentity(b *testing.B) {
	tn := benchTenant(b)
	for _, k := range []string{"user4242", `CORP\User4242`, "nobody@corp.example"} {
		b.Run(k, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tn.Identity(k)
			}
		})
	}
}

func BenchmarkTenantInBusinessHours(b *testing.B) {
	tn := benchTenant(b)
	ts := time.Date(2026, 7, 6, 9, 30, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		tn.InBusinessHours(ts)
	}
}

func BenchmarkLoadExample(b *testing.B) {
	path := examplePath(b, "winnow.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
