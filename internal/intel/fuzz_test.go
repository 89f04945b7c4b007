package intel

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// addSeeds adds every file matching glob under testdata as a seed.
func addSeeds(f *testing.F, glob string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds match testdata/%s: %v", glob, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
}

func FuzzParseTrails(f *testing.F) {
	addSeeds(f, "maltrail/trails/static/*/*.txt")
	addSeeds(f, "maltrail/trails/static/*.txt")
	f.Fuzz(func(t *testing.T, text string) {
		p := parseTrails("trails/static/malware/fam.txt", text)
		if p.file.family != "fam" || p.file.rep != alert.Malicious {
			t.Fatalf("file info %+v", p.file)
		}
		for _, e := range p.hosts {
			if e.key == "" || strings.ContainsAny(e.key, "#/ \t\n") || hasUpper(e.key) {
				t.Fatalf("bad host trail %q from %q", e.key, text)
			}
		}
		for _, u := range p.urls {
			if u == "" || strings.Contains(u, "#") || strings.HasPrefix(u, "/") || strings.HasSuffix(u, "/") {
				t.Fatalf("bad URL trail %q from %q", u, text)
			}
		}
	})
}

func FuzzParseIPsum(f *testing.F) {
	addSeeds(f, "ipsum/ipsum.txt")
	f.Fuzz(func(t *testing.T, text string) {
		counts, _, err := parseIPsum(text)
		if err != nil {
			return
		}
		for k, c := range counts {
			a, err := netip.ParseAddr(k)
			if err != nil || a.String() != k || c == 0 {
				t.Fatalf("entry %q=%d from %q", k, c, text)
			}
		}
	})
}

func FuzzParseTor(f *testing.F) {
	addSeeds(f, "tor/*.lst")
	f.Fuzz(func(t *testing.T, text string) {
		exits := map[string]struct{}{}
		if err := parseTor(text, exits); err != nil {
			return
		}
		for k := range exits {
			if a, err := netip.ParseAddr(k); err != nil || a.String() != k {
				t.Fatalf("entry %q from %q is not a canonical address", k, text)
			}
		}
	})
}

func FuzzParseASNRow(f *testing.F) {
	data, err := os.ReadFile("testdata/asn/asn-ipv4.csv")
	if err != nil {
		f.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		f.Add(strings.TrimSpace(line))
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, _, asn, err := parseASNRow(line)
		if err != nil {
			return
		}
		if r.end < r.start || asn == "" {
			t.Fatalf("row %+v asn %q from %q", r, asn, line)
		}
	})
}

// FuzzLookup feeds arbitrary observables to a store holding every test
// feed: a lookup never panics, and a miss appends nothing.
func FuzzLookup(f *testing.F) {
	s, err := loadAllTestdata()
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ typ, v string }{
		{"ipv4", "192.0.2.10"}, {"ipv6", "2001:db8::10"}, {"domain", "a.evil-c2.example"},
		{"url", "http://evil-c2.example/gate.php?x"}, {"url", "https://[2001:db8::1]:8443/"},
		{"md5", "d41d8cd98f00b204e9800998ecf8427e"}, {"email", "a@b.example"},
	} {
		f.Add(seed.typ, seed.v)
	}
	f.Fuzz(func(t *testing.T, typ, v string) {
		got := s.Lookup(nil, alert.Observable{Type: alert.ObservableType(typ), Value: v})
		for _, fd := range got {
			if fd.Source == "" || fd.Reputation == "" {
				t.Fatalf("incomplete finding %+v for %s %q", fd, typ, v)
			}
		}
	})
}

// FuzzMISPEntry indexes one warning-list entry of each type and looks the
// entry up again: nothing panics, and a usable hostname entry finds itself.
func FuzzMISPEntry(f *testing.F) {
	for _, s := range []string{"8.8.8.8", "9.9.9.0/24", "2001:db8::/32", ".duckdns.org", "Dns.Google", "github.io", "d41d8cd98f00b204e9800998ecf8427e", "::ffff:1.2.3.0/120"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		for _, typ := range []string{"cidr", "hostname", "string"} {
			m := &misp{exact: keySets{m: map[string]uint32{}}, suffix: keySets{m: map[string]uint32{}}}
			m.lists = []mispList{{rep: alert.Benign, name: "l", types: maskAll}}
			var ivs []interval
			ok := m.addEntry(typ, entry, 0, true, &ivs)
			m.cidrs = buildRangeIndex(ivs)
			d := strings.Trim(lower(strings.TrimSpace(entry)), ".")
			got := m.lookup(nil, query{typ: alert.Domain, host: d, value: d})
			if ok && typ == "hostname" && d != "" && len(got) != 1 {
				t.Fatalf("hostname entry %q not found by lookup of %q: %+v", entry, d, got)
			}
		}
	})
}
