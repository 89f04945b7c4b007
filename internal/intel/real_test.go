package intel

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// The reference copies of the real feeds live in ../shared/data beside the
// module root (see shared/data/README.md). A test that needs one fails,
// naming the file, when it is missing.

func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared data file %s is missing: %v", p, err)
	}
	return p
}

func realFeeds(tb testing.TB) []Feed {
	return []Feed{
		{Kind: Maltrail, Path: sharedData(tb, "intel/maltrail.tar.gz"), Reliability: "B"},
		{Kind: IPsum, Path: sharedData(tb, "intel/ipsum.tar.gz"), Reliability: "C"},
		{Kind: Tor, Path: sharedData(tb, "intel/tor.tar.gz"), Reliability: "A"},
		{Kind: MISPWarninglists, Path: sharedData(tb, "intel/misp-warninglists.tar.gz"), Reliability: "B"},
		{Kind: STIX, Path: sharedData(tb, "intel/unit42-playbooks.tar.gz"), Reliability: "B"},
		{Kind: ASN, Path: sharedData(tb, "geo/asn-ipv4.tar.gz"), Reliability: "B"},
		{Kind: MMDBCountry, Path: sharedData(tb, "geo/geo-whois-asn-country-ipv4.mmdb"), Reliability: "B"},
	}
}

var real struct {
	once    sync.Once
	store   *Store
	err     error
	elapsed time.Duration
}

// realStore loads every real feed once per test binary.
func realStore(tb testing.TB) *Store {
	tb.Helper()
	feeds := realFeeds(tb)
	real.once.Do(func() {
		start := time.Now()
		real.store, real.err = Load(context.Background(), feeds)
		real.elapsed = time.Since(start)
	})
	if real.err != nil {
		tb.Fatalf("Load real feeds: %v", real.err)
	}
	return real.store
}

func TestRealLoadAll(t *testing.T) {
	s := realStore(t)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("loaded all real feeds in %v; live heap after GC %d MiB", real.elapsed, ms.HeapAlloc>>20)
	min := map[Kind]int{Maltrail: 1_000_000, IPsum: 100_000, Tor: 1_000, MISPWarninglists: 300_000, STIX: 200, ASN: 400_000, MMDBCountry: 100_000}
	for _, st := range s.Status() {
		t.Logf("%-18s %8d entries, as of %s", st.Name, st.Entries, st.ModTime.Format(time.DateOnly))
		if st.Err != "" || st.Entries < min[st.Kind] || st.ModTime.IsZero() {
			t.Errorf("feed %s: %+v, want at least %d entries and a date", st.Name, st, min[st.Kind])
		}
	}
}

// Known entries, found with grep in the shared files.
func TestRealLookups(t *testing.T) {
	s := realStore(t)
	first := func(got []alert.Finding, src string) *alert.Finding {
		for i := range got {
			if got[i].Source == src {
				return &got[i]
			}
		}
		return nil
	}
	tests := []struct {
		o      alert.Observable
		src    string
		rep    alert.Reputation
		family string
		detail string
	}{
		// maltrail trails/static/malware/apt_lazarus.txt
		{obs(alert.IPv4, "185.142.236.226"), "maltrail", alert.Malicious, "apt_lazarus", "hidden cobra"},
		{obs(alert.Domain, "tpddata.com"), "maltrail", alert.Malicious, "apt_lazarus", "apt_lazarus"},
		{obs(alert.Domain, "cdn.tpddata.com"), "maltrail", alert.Malicious, "apt_lazarus", "parent domain tpddata.com"},
		{obs(alert.URL, "http://tpddata.com/skins/skin-6.thm"), "maltrail", alert.Malicious, "apt_lazarus", "apt_lazarus"},
		// maltrail suspicious/dynamic_domain.txt lists duckdns.org
		{obs(alert.Domain, "x.duckdns.org"), "maltrail", alert.Suspicious, "dynamic_domain", "duckdns.org"},
		// maltrail mass_scanner.txt
		{obs(alert.IPv4, "129.82.138.12"), "maltrail", alert.Suspicious, "", "mass_scanner"},
		// ipsum.txt: 77.90.185.20 on 10 lists
		{obs(alert.IPv4, "77.90.185.20"), "ipsum", alert.Malicious, "", "10 blacklists"},
		{obs(alert.IPv4, "101.99.92.179"), "tor", alert.Suspicious, "", "Tor exit"},
		// misp public-dns-v4 and dynamic-dns
		{obs(alert.IPv4, "8.8.8.8"), "misp_warninglists", alert.Benign, "", "public DNS resolvers"},
		{obs(alert.Domain, "dns.google"), "misp_warninglists", alert.Benign, "", ""},
		{obs(alert.Domain, "x.duckdns.org"), "misp_warninglists", alert.Context, "", "dynamic"},
		// unit42 conti-ransomware.json indicator--039442bf... indicates malware Conti
		{obs(alert.SHA256, "227164b06f201b07a8b82800adcc6a831cadaed6709d1473fd4182858fbd80a5"), "stix", alert.Malicious, "Conti", "conti-ransomware.json"},
		// unit42 icedid.json: the bundle's intrusion set
		{obs(alert.SHA256, "1b92046cff47b821b3666c72dea660b5ec9ebfd9556bd0de33883ebe1de0f3fc"), "stix", alert.Malicious, "IcedID Malware", "icedid.json"},
		{obs(alert.IPv4, "1.0.0.1"), "asn", alert.Context, "", "AS13335 Cloudflare, Inc."},
		{obs(alert.IPv4, "8.8.8.8"), "mmdb_country", alert.Context, "", "US"},
	}
	for _, tt := range tests {
		t.Run(tt.src+" "+tt.o.Value, func(t *testing.T) {
			got := s.Lookup(nil, tt.o)
			f := first(got, tt.src)
			if f == nil {
				t.Fatalf("no %s finding for %s in %+v", tt.src, tt.o.Value, got)
			}
			if f.Reputation != tt.rep || f.Family != tt.family || !containsFold(f.Detail, tt.detail) || f.Reliability == "" {
				t.Errorf("%s finding = %+v, want %s family %q detail ~%q", tt.src, *f, tt.rep, tt.family, tt.detail)
			}
		})
	}
	// Only the RFC 5735 warning list knows a documentation address.
	if got := s.Lookup(nil, obs(alert.IPv4, "192.0.2.1")); len(got) != 1 || got[0].Reputation != alert.Benign || !containsFold(got[0].Detail, "RFC 5735") {
		t.Errorf("Lookup(192.0.2.1) = %+v, want only the RFC 5735 list", got)
	}
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexFold(s, sub) >= 0)
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if a[i]|0x20 != b[i]|0x20 {
			return false
		}
	}
	return true
}

func BenchmarkLookup(b *testing.B) {
	s := realStore(b)
	cases := []struct {
		name string
		o    alert.Observable
	}{
		{"ipv4/hit", obs(alert.IPv4, "185.142.236.226")},
		{"ipv4/miss", obs(alert.IPv4, "192.0.2.1")},
		{"ipv6/hit", obs(alert.IPv6, "2001:4860:4860::8888")},
		{"ipv6/miss", obs(alert.IPv6, "2001:db8::1")},
		{"domain/hit", obs(alert.Domain, "tpddata.com")},
		{"domain/parent-hit", obs(alert.Domain, "a.b.cdn.tpddata.com")},
		{"domain/miss", obs(alert.Domain, "a.b.c.winnow-test.invalid")},
		{"url/hit", obs(alert.URL, "http://tpddata.com/skins/skin-6.thm")},
		{"url/miss", obs(alert.URL, "https://a.winnow-test.invalid/x/y?z=1")},
		{"sha256/hit", obs(alert.SHA256, "227164b06f201b07a8b82800adcc6a831cadaed6709d1473fd4182858fbd80a5")},
		{"sha256/miss", obs(alert.SHA256, "0000000000000000000000000000000000000000000000000000000000000001")},
		{"md5/hit", obs(alert.MD5, "d41d8cd98f00b204e9800998ecf8427e")},
		{"md5/miss", obs(alert.MD5, "00000000000000000000000000000001")},
		{"email/miss", obs(alert.EmailAd, "nobody@winnow-test.invalid")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]alert.Finding, 0, 16)
			b.ReportAllocs()
			for b.Loop() {
				dst = s.Lookup(dst[:0], c.o)
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	for _, f := range realFeeds(b) {
		b.Run(string(f.Kind), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), []Feed{f}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadAll(b *testing.B) {
	feeds := realFeeds(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(context.Background(), feeds); err != nil {
			b.Fatal(err)
		}
	}
}
