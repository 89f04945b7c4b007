package intel

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// TestLookupGolden pins the complete findings, in order, for observables
// looked up in every test feed at once. AsOf is left out: for most test
// feeds it is the checkout's file modification time. Refresh with
// UPDATE_GOLDEN=1 go test ./internal/intel -run TestLookupGolden.
func TestLookupGolden(t *testing.T) {
	s, err := loadAllTestdata()
	if err != nil {
		t.Fatal(err)
	}
	observables := []alert.Observable{
		obs(alert.IPv4, "192.0.2.10"),
		obs(alert.IPv4, "198.51.100.200"),
		obs(alert.IPv4, "8.8.8.8"),
		obs(alert.IPv6, "2001:db8::50"),
		obs(alert.Domain, "a.evil-c2.example"),
		obs(alert.Domain, "dns.google"),
		obs(alert.Domain, "x.dyn.example"),
		obs(alert.URL, "http://stix-c2.example/a.php"),
		obs(alert.URL, "http://evil-c2.example/gate.php?q=1"),
		obs(alert.MD5, "d41d8cd98f00b204e9800998ecf8427e"),
		obs(alert.SHA256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		obs(alert.EmailAd, "nobody@example.org"),
	}
	for i := range observables {
		observables[i].Findings = s.Lookup(nil, observables[i])
		for j := range observables[i].Findings {
			observables[i].Findings[j].AsOf = nil
		}
	}
	got, err := json.MarshalIndent(observables, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "lookup.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (refresh with UPDATE_GOLDEN=1): %v", golden, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from %s (refresh with UPDATE_GOLDEN=1 after checking):\n%s", golden, got)
	}
}
