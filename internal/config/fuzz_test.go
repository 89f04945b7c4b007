package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and a
// config it accepts must validate and answer lookups. CSV files named by
// the input are served from memory so the fuzzer never reads real files.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.yaml"))
	seeds = append(seeds, examplePath(f, "winnow.yaml"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("tenants:\n  - id: a\n    assets_file: a.csv\n    identities_file: i.csv\n"))
	files := memFiles(map[string]string{
		"a.csv": "name,ips,criticality\nweb01,10.0.0.1;10.1.0.0/16,high\n",
		"i.csv": "user,vip,role\nalice,true,admin\n",
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parse("w.yaml", data, files)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config does not validate: %v", err)
		}
		if c.Route("agent", "host") == nil {
			t.Fatal("Route found no tenant, not even the default")
		}
		for i := range c.Tenants {
			tn := &c.Tenants[i]
			tn.Asset("web01")
			tn.Asset("10.1.2.3")
			tn.Identity(`CORP\alice`)
			tn.IsInternalDomain("a.corp.example.com")
			tn.InBusinessHours(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC))
		}
	})
}
