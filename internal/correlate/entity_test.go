package correlate

import (
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func TestCanonical(t *testing.T) {
	cr := newCorrelator(t, Config{
		BurstCount: 5, BurstWindow: 1, ChainWindow: 1, Lookback: 1, RetroLimit: 1,
		MaxIncidentAlerts: 10, MaxEntityAlerts: 10, Investigate: 50, Escalate: 75,
		IgnoreIPs: []string{"10.0.0.53", "192.168.100.0/24"},
	})
	for _, c := range []struct {
		typ   alert.ObservableType
		in    string
		want  key
		links bool
	}{
		{alert.HostID, "WS-07.corp.example", key{alert.HostID, "ws-07"}, true},
		{alert.HostID, "10.1.1.1", key{alert.IPv4, "10.1.1.1"}, true},
		{alert.UserID, `CORP\Alice`, key{alert.UserID, "alice"}, true},
		{alert.UserID, "alice@corp.example", key{alert.UserID, "alice"}, true},
		{alert.UserID, `CORP\`, key{}, false},
		{alert.IPv4, "10.20.30.42", key{alert.IPv4, "10.20.30.42"}, true},
		{alert.IPv4, "::ffff:10.20.30.42", key{alert.IPv4, "10.20.30.42"}, true},
		{alert.IPv6, "FD00::1", key{alert.IPv6, "fd00::1"}, true},
		{alert.IPv4, "127.0.0.1", key{}, false},
		{alert.IPv6, "::1", key{}, false},
		{alert.IPv4, "0.0.0.0", key{}, false},
		{alert.IPv4, "255.255.255.255", key{}, false},
		{alert.IPv4, "224.0.0.251", key{}, false},
		{alert.IPv4, "169.254.10.1", key{}, false},
		{alert.IPv4, "10.0.0.53", key{}, false},
		{alert.IPv4, "192.168.100.7", key{}, false},
		{alert.IPv4, "not-an-ip", key{}, false},
		{alert.Domain, "Evil.Example.", key{alert.Domain, "evil.example"}, true},
		{alert.SHA256, "ABCD", key{alert.SHA256, "abcd"}, true},
		{alert.ProcID, "powershell.exe", key{}, false},
		{alert.CVE, "CVE-2024-1234", key{}, false},
		{alert.HostID, " - ", key{}, false},
	} {
		t.Run(string(c.typ)+" "+c.in, func(t *testing.T) {
			got, ok := cr.canonical(c.typ, c.in)
			if ok != c.links || got != c.want {
				t.Errorf("canonical = %v, %v; want %v, %v", got, ok, c.want, c.links)
			}
		})
	}
}

// FuzzCanonical checks that canonicalisation never panics and is
// idempotent: a canonical value maps onto itself.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"WS-07.corp.example", `CORP\alice`, "alice@corp", "::ffff:10.0.0.1", "fe80::1%eth0", "127.0.0.1", "Evil.Example.", ""} {
		f.Add(uint8(0), s)
	}
	types := []alert.ObservableType{alert.HostID, alert.UserID, alert.IPv4, alert.IPv6, alert.Domain, alert.URL, alert.SHA256, alert.ProcID}
	cr, err := New(DefaultConfig(), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ti uint8, s string) {
		k, ok := cr.canonical(types[int(ti)%len(types)], s)
		if !ok {
			return
		}
		k2, ok2 := cr.canonical(k.typ, k.val)
		if !ok2 || k2 != k {
			t.Fatalf("canonical(%v) = %v, %v; not idempotent", k, k2, ok2)
		}
	})
}
