package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func TestNormalizeEntity(t *testing.T) {
	for _, c := range []struct{ kind, in, want string }{
		{KindIP, " ::ffff:10.0.0.1 ", "10.0.0.1"},
		{KindSrcIP, "2001:DB8::1", "2001:db8::1"},
		{KindIP, "not-an-ip", "not-an-ip"},
		{KindHost, "WS-01.Corp.Example.", "ws-01.corp.example"},
		{KindUser, `CORP\Alice`, `corp\alice`},
		{KindHash, "ABCDEF", "abcdef"},
		{KindURL, " http://x.example/Path ", "http://x.example/Path"},
		{KindRule, "suricata/Rule-1", "suricata/Rule-1"},
		{KindDomain, "", ""},
	} {
		t.Run(c.kind+" "+c.in, func(t *testing.T) {
			if got := NormalizeEntity(c.kind, c.in); got != c.want {
				t.Errorf("NormalizeEntity(%s, %q) = %q, want %q", c.kind, c.in, got, c.want)
			}
		})
	}
}

// TestEntitiesGolden pins the entity keys indexed for a sample alert: a
// change here changes what history and correlation can find.
func TestEntitiesGolden(t *testing.T) {
	it := sample("acme", 3)
	it.Alert.Entities.Email = &alert.Email{From: "Bad@Example.com", To: []string{"ceo@corp.example"}}
	it.Alert.Entities.URLs = []string{"http://evil.example.com/x"}
	it.Alert.Entities.Users = append(it.Alert.Entities.Users, alert.User{Name: "U3"}) // duplicate of u3 after normalising
	var b strings.Builder
	for _, k := range Entities(&it.Alert, &it.Decision) {
		fmt.Fprintf(&b, "%s\t%s\n", k.Kind, k.Value)
	}
	golden := filepath.Join("testdata", "golden", "entities.golden")
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("entities differ from %s (UPDATE_GOLDEN=1 to refresh):\n%s", golden, b.String())
	}
	if Entities(&alert.Alert{}, nil) != nil {
		t.Error("an empty alert has entities")
	}
}
