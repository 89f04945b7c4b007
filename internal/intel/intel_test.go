package intel

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// want summarises one expected finding; detail is a substring of Detail.
type want struct {
	src    string
	rep    alert.Reputation
	conf   int
	family string
	cat    string
	detail string
}

func check(t *testing.T, got []alert.Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d findings %+v, want %d %+v", len(got), got, len(wants), wants)
	}
	for i, w := range wants {
		g := got[i]
		cat := ""
		if len(g.Categories) > 0 {
			cat = g.Categories[0]
		}
		if g.Source != w.src || g.Reputation != w.rep || g.Confidence != w.conf || g.Family != w.family || cat != w.cat || !strings.Contains(g.Detail, w.detail) {
			t.Errorf("finding %d = %+v\nwant %+v", i, g, w)
		}
	}
}

func obs(typ alert.ObservableType, v string) alert.Observable {
	return alert.Observable{Type: typ, Value: v}
}

// loadAllTestdata loads every feed under testdata into one store.
func loadAllTestdata() (*Store, error) {
	return Load(context.Background(), []Feed{
		{Kind: Maltrail, Path: "testdata/maltrail"},
		{Kind: IPsum, Path: "testdata/ipsum"},
		{Kind: Tor, Path: "testdata/tor"},
		{Kind: MISPWarninglists, Path: "testdata/misp"},
		{Kind: STIX, Path: "testdata/stix"},
		{Kind: ASN, Path: "testdata/asn"},
	})
}

func loadTest(t *testing.T, feeds ...Feed) *Store {
	t.Helper()
	s, err := Load(context.Background(), feeds)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestLoaders(t *testing.T) {
	type lookupCase struct {
		o     alert.Observable
		wants []want
	}
	mal := func(conf int, fam, detail string) []want {
		return []want{{"maltrail", alert.Malicious, conf, fam, "malware", detail}}
	}
	tests := []struct {
		name  string
		feed  Feed
		cases []lookupCase
	}{
		{"maltrail", Feed{Kind: Maltrail, Path: "testdata/maltrail"}, []lookupCase{
			{obs(alert.Domain, "evil-c2.example"), mal(80, "evilbot", "aliases:evil bot, evbot, e-bot")},
			{obs(alert.Domain, "EVIL-C2.example."), mal(80, "evilbot", "evilbot")},
			{obs(alert.Domain, "a.b.evil-c2.example"), mal(70, "evilbot", "matched parent domain evil-c2.example")},
			{obs(alert.Domain, "update.evil-cdn.example"), mal(80, "evilbot", "evilbot")},
			{obs(alert.Domain, "foo.tk"), []want{{"maltrail", alert.Suspicious, 30, "dynamic_domain", "suspicious", "parent domain tk"}}},
			{obs(alert.Domain, "dyn.example"), []want{{"maltrail", alert.Suspicious, 40, "dynamic_domain", "suspicious", "dynamic_domain"}}},
			{obs(alert.Domain, "kit.example.com"), nil},
			{obs(alert.IPv4, "192.0.2.10"), []want{{"maltrail", alert.Malicious, 80, "c2kit", "malicious", "c2kit"}}},
			{obs(alert.IPv4, "192.0.2.11"), mal(80, "evilbot", "listed with a port")},
			{obs(alert.IPv6, "2001:db8::10"), mal(80, "evilbot", "listed with a port")},
			{obs(alert.IPv4, "203.0.113.5"), mal(80, "evilbot", "evilbot")},
			{obs(alert.IPv4, "198.51.100.20"), []want{{"maltrail", alert.Suspicious, 70, "", "scanner", "mass_scanner"}}},
			{obs(alert.IPv4, "198.51.100.99"), []want{{"maltrail", alert.Suspicious, 70, "", "scanner", "mass_scanner_cidr"}}},
			{obs(alert.IPv4, "192.0.2.99"), nil},
			{obs(alert.URL, "http://evil-c2.example/gate.php"), mal(80, "evilbot", "evilbot")},
			{obs(alert.URL, "http://evil-c2.example/gate.php?id=1"), mal(80, "evilbot", "evilbot")},
			{obs(alert.URL, "https://user@evil-c2.example:8443/other"), mal(80, "evilbot", "evilbot")},
			{obs(alert.URL, "http://198.51.100.7/"), mal(80, "evilbot", "evilbot")},
			{obs(alert.URL, "http://dropper.example/Payload/Stage2.bin"), mal(80, "evilbot", "evilbot")},
			{obs(alert.URL, "http://other.example/generic/gate.php"), nil},
			{obs(alert.MD5, "d41d8cd98f00b204e9800998ecf8427e"), nil},
		}},
		{"ipsum", Feed{Kind: IPsum, Path: "testdata/ipsum/ipsum.txt"}, []lookupCase{
			{obs(alert.IPv4, "192.0.2.10"), []want{{"ipsum", alert.Malicious, 100, "", "blacklist", "listed on 10 blacklists"}}},
			{obs(alert.IPv4, "192.0.2.20"), []want{{"ipsum", alert.Malicious, 55, "", "blacklist", "3 blacklists"}}},
			{obs(alert.IPv4, "192.0.2.30"), []want{{"ipsum", alert.Suspicious, 40, "", "blacklist", "2 blacklists"}}},
			{obs(alert.IPv4, "192.0.2.40"), []want{{"ipsum", alert.Suspicious, 25, "", "blacklist", "1 blacklist"}}},
			{obs(alert.URL, "http://192.0.2.40/x"), []want{{"ipsum", alert.Suspicious, 25, "", "blacklist", "1 blacklist"}}},
			{obs(alert.IPv4, "192.0.2.41"), nil},
			{obs(alert.Domain, "192.0.2.10.example"), nil},
		}},
		{"ipsum threshold", Feed{Kind: IPsum, Path: "testdata/ipsum", Threshold: 5}, []lookupCase{
			{obs(alert.IPv4, "192.0.2.20"), []want{{"ipsum", alert.Suspicious, 55, "", "blacklist", "3 blacklists"}}},
			{obs(alert.IPv4, "192.0.2.10"), []want{{"ipsum", alert.Malicious, 100, "", "blacklist", "10 blacklists"}}},
		}},
		{"tor", Feed{Kind: Tor, Path: "testdata/tor"}, []lookupCase{
			{obs(alert.IPv4, "192.0.2.50"), []want{{"tor", alert.Suspicious, 60, "", "tor_exit", "Tor exit"}}},
			{obs(alert.IPv6, "2001:0db8:0::50"), []want{{"tor", alert.Suspicious, 60, "", "tor_exit", "Tor exit"}}},
			{obs(alert.IPv4, "192.0.2.52"), nil},
		}},
		{"misp", Feed{Kind: MISPWarninglists, Path: "testdata/misp"}, []lookupCase{
			{obs(alert.IPv4, "8.8.8.8"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "List of known IPv4 public DNS resolvers"}}},
			{obs(alert.IPv4, "9.9.9.9"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS resolvers"}}},
			{obs(alert.IPv6, "2001:db8:53::1"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS resolvers"}}},
			{obs(alert.IPv4, "8.8.4.4"), nil},
			{obs(alert.URL, "http://8.8.8.8/"), nil},
			{obs(alert.Domain, "dns.google"), []want{
				{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS hostnames"},
				{"misp_warninglists", alert.Benign, 50, "", "popular", "Top sites"},
			}},
			{obs(alert.URL, "https://dns.google/resolve"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS hostnames"}}},
			{obs(alert.Domain, "a.resolver.example"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS hostnames"}}},
			{obs(alert.Domain, "github.io"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "public DNS hostnames"}}},
			{obs(alert.Domain, "attacker.github.io"), nil},
			{obs(alert.Domain, "attacker.duckdns.org"), []want{{"misp_warninglists", alert.Context, 90, "", "dynamic_dns", "dynamic DNS"}}},
			{obs(alert.Domain, "www.popular.example"), []want{{"misp_warninglists", alert.Benign, 50, "", "popular", "Top sites"}}},
			{obs(alert.Domain, "sub.popular.example"), nil},
			{obs(alert.MD5, "D41D8CD98F00B204E9800998ECF8427E"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "empty files"}}},
			{obs(alert.SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), []want{{"misp_warninglists", alert.Benign, 70, "", "known_benign", "empty files"}}},
			{obs(alert.SHA1, "d41d8cd98f00b204e9800998ecf8427e"), nil},
		}},
		{"stix", Feed{Kind: STIX, Path: "testdata/stix"}, []lookupCase{
			{obs(alert.SHA256, strings.Repeat("a", 64)), []want{{"stix", alert.Malicious, 80, "ExampleLoader", "malicious-activity", "indicator--00000000-0000-4000-8000-000000000010"}}},
			{obs(alert.MD5, strings.Repeat("B", 32)), []want{{"stix", alert.Malicious, 80, "ExampleLoader", "malicious-activity", "000000000010 in bundle.json"}}},
			{obs(alert.IPv4, "203.0.113.66"), []want{{"stix", alert.Malicious, 90, "ExampleLoader", "", "000000000011"}}},
			{obs(alert.Domain, "stix-c2.example"), []want{{"stix", alert.Malicious, 90, "ExampleLoader", "", "000000000011"}}},
			{obs(alert.URL, "http://stix-c2.example/a.php"), []want{{"stix", alert.Malicious, 90, "ExampleLoader", "", "000000000011"}}},
			{obs(alert.URL, "http://stix-c2.example/other"), []want{{"stix", alert.Malicious, 90, "ExampleLoader", "", "000000000011"}}},
			{obs(alert.IPv4, "203.0.113.77"), []want{{"stix", alert.Malicious, 60, "ExampleLoader", "", "one condition of several"}}},
			{obs(alert.IPv4, "198.51.100.200"), []want{{"stix", alert.Malicious, 80, "ExampleLoader", "", "000000000013"}}},
			{obs(alert.IPv4, "203.0.113.88"), nil},
			{obs(alert.IPv4, "203.0.113.89"), nil},
			{obs(alert.Domain, "broken.example"), nil},
			{obs(alert.Domain, "sub.stix-c2.example"), nil},
		}},
		{"asn", Feed{Kind: ASN, Path: "testdata/asn"}, []lookupCase{
			{obs(alert.IPv4, "192.0.2.1"), []want{{"asn", alert.Context, 90, "", "asn", "AS64500 Example Net"}}},
			{obs(alert.IPv4, "192.0.2.255"), []want{{"asn", alert.Context, 90, "", "asn", `AS64501 Quoted "Org" Ltd`}}},
			{obs(alert.IPv4, "1.0.0.1"), []want{{"asn", alert.Context, 90, "", "asn", "AS13335 Cloudflare, Inc."}}},
			{obs(alert.IPv4, "1.0.1.0"), nil},
			{obs(alert.IPv4, "0.0.0.1"), nil},
			{obs(alert.IPv6, "2001:db8::1"), nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := loadTest(t, tt.feed)
			for _, c := range tt.cases {
				t.Run(string(c.o.Type)+" "+c.o.Value, func(t *testing.T) {
					check(t, s.Lookup(nil, c.o), c.wants)
				})
			}
		})
	}
}

// TestArchiveForms loads every test feed again from a .tar.gz whose entries
// sit under an arbitrary top-level directory, as upstream archives do.
func TestArchiveForms(t *testing.T) {
	for _, dir := range []string{"maltrail", "ipsum", "tor", "misp", "stix", "asn"} {
		t.Run(dir, func(t *testing.T) {
			kind := map[string]Kind{"maltrail": Maltrail, "ipsum": IPsum, "tor": Tor, "misp": MISPWarninglists, "stix": STIX, "asn": ASN}[dir]
			fromDir := loadTest(t, Feed{Kind: kind, Path: filepath.Join("testdata", dir)})
			archive := tarGz(t, filepath.Join("testdata", dir), dir+"-main/")
			fromTar := loadTest(t, Feed{Kind: kind, Path: archive})
			d, a := fromDir.Status()[0], fromTar.Status()[0]
			if d.Entries == 0 || d.Entries != a.Entries {
				t.Errorf("entries: directory %d, archive %d", d.Entries, a.Entries)
			}
		})
	}
}

func tarGz(t *testing.T, dir, prefix string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "feed.tar.gz")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		h := &tar.Header{Name: prefix + filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(data)), ModTime: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	for _, e := range []error{err, tw.Close(), zw.Close(), f.Close()} {
		if e != nil {
			t.Fatal(e)
		}
	}
	return out
}

func TestLoadErrors(t *testing.T) {
	s, err := Load(context.Background(), []Feed{
		{Kind: Tor, Path: "testdata/tor"},
		{Name: "tor", Kind: IPsum, Path: "testdata/ipsum"},
		{Name: "bad-kind", Kind: "nope", Path: "testdata/tor"},
		{Name: "missing", Kind: IPsum, Path: "testdata/does-not-exist"},
		{Name: "grade", Kind: IPsum, Path: "testdata/ipsum", Reliability: "G"},
		{Name: "wrong-format", Kind: STIX, Path: "testdata/tor"},
	})
	if !errors.Is(err, ErrUnknownKind) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load error %v: want ErrUnknownKind and fs.ErrNotExist joined", err)
	}
	for _, name := range []string{"duplicate feed name", "bad-kind", "missing", "reliability", "wrong-format"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("Load error %q does not mention %q", err, name)
		}
	}
	st := s.Status()
	if len(st) != 6 || st[0].Err != "" || st[0].Entries != 3 {
		t.Fatalf("Status()[0] = %+v, want tor loaded with 3 entries", st[0])
	}
	for _, fst := range st[1:] {
		if fst.Err == "" || fst.Entries != 0 {
			t.Errorf("Status %s = %+v, want an error", fst.Name, fst)
		}
	}
	// The feed that loaded still answers.
	if got := s.Lookup(nil, obs(alert.IPv4, "192.0.2.50")); len(got) != 1 {
		t.Errorf("Lookup on partial store = %+v, want the tor finding", got)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, []Feed{{Kind: Maltrail, Path: "testdata/maltrail"}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Load with canceled context: %v, want context.Canceled", err)
	}
}

func TestStoreOrderAndStatus(t *testing.T) {
	s := loadTest(t,
		Feed{Name: "ipsum-feed", Kind: IPsum, Path: "testdata/ipsum", Reliability: "B"},
		Feed{Kind: Maltrail, Path: "testdata/maltrail", Reliability: "C"},
		Feed{Kind: ASN, Path: "testdata/asn"},
	)
	got := s.Lookup([]alert.Finding{{Source: "earlier"}}, obs(alert.IPv4, "192.0.2.10"))
	var srcs []string
	for _, f := range got {
		srcs = append(srcs, f.Source+"/"+f.Reliability)
	}
	if want := "earlier/ ipsum-feed/B maltrail/C asn/"; strings.Join(srcs, " ") != want {
		t.Errorf("sources %q, want %q", strings.Join(srcs, " "), want)
	}
	if got[1].AsOf == nil || !got[1].AsOf.Equal(time.Date(2026, 8, 22, 1, 0, 29, 0, time.UTC)) {
		t.Errorf("ipsum AsOf = %v, want the file's Last update", got[1].AsOf)
	}
	st := s.Status()
	if st[0].Name != "ipsum-feed" || st[0].Entries != 4 || !st[0].ModTime.Equal(*got[1].AsOf) || st[0].LoadedAt.IsZero() {
		t.Errorf("Status()[0] = %+v", st[0])
	}
	if st[1].Name != "maltrail" || st[1].Kind != Maltrail || st[1].Entries == 0 {
		t.Errorf("Status()[1] = %+v", st[1])
	}
}

func TestEmptyAndUnsupported(t *testing.T) {
	s := loadTest(t, Feed{Kind: Tor, Path: "testdata/tor"})
	for _, o := range []alert.Observable{
		obs(alert.CVE, "CVE-2024-0001"), obs(alert.IPv4, "not-an-ip"), obs(alert.IPv4, ""),
		obs(alert.IPv6, "fe80::1%eth0"), obs(alert.URL, "http:///path"), obs(alert.Domain, "."),
	} {
		if got := s.Lookup(nil, o); len(got) != 0 {
			t.Errorf("Lookup(%+v) = %+v, want nothing", o, got)
		}
	}
	if got := Empty().Lookup(nil, obs(alert.IPv4, "192.0.2.50")); got != nil {
		t.Errorf("Empty().Lookup = %+v", got)
	}
	var nilStore *Store
	if got := nilStore.Lookup(nil, obs(alert.IPv4, "192.0.2.50")); got != nil || nilStore.Status() != nil {
		t.Errorf("nil store answered %+v", got)
	}
}

// A single configured file is read whatever its name, as the updater may
// store it under a temporary one.
func TestSingleFileAnyName(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		kind Kind
		src  string
		o    alert.Observable
	}{
		{IPsum, "testdata/ipsum/ipsum.txt", obs(alert.IPv4, "192.0.2.10")},
		{Tor, "testdata/tor/tor-exit-nodes.lst", obs(alert.IPv4, "192.0.2.50")},
		{ASN, "testdata/asn/asn-ipv4.csv", obs(alert.IPv4, "192.0.2.1")},
		{STIX, "testdata/stix/bundle.json", obs(alert.IPv4, "203.0.113.66")},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			data, err := os.ReadFile(c.src)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, string(c.kind)+".download.tmp")
			if err := os.WriteFile(p, data, 0o600); err != nil {
				t.Fatal(err)
			}
			s := loadTest(t, Feed{Kind: c.kind, Path: p})
			if got := s.Lookup(nil, c.o); len(got) != 1 {
				t.Errorf("Lookup(%s) = %+v, want one finding", c.o.Value, got)
			}
		})
	}
	if _, err := Load(context.Background(), []Feed{{Kind: Maltrail, Path: "testdata/ipsum/ipsum.txt"}}); err == nil || !strings.Contains(err.Error(), "not a trail file") {
		t.Errorf("maltrail from a single file: %v, want a not-a-trail-file error", err)
	}
}

// TestConcurrentLookups exercises the Store from many goroutines; run under
// -race it checks that lookups only read.
func TestConcurrentLookups(t *testing.T) {
	s, err := loadAllTestdata()
	if err != nil {
		t.Fatal(err)
	}
	want := len(s.Lookup(nil, obs(alert.IPv4, "192.0.2.10")))
	errs := make(chan string, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := len(s.Lookup(nil, obs(alert.IPv4, "192.0.2.10"))); got != want {
					errs <- fmt.Sprintf("got %d findings, want %d", got, want)
					return
				}
				s.Lookup(nil, obs(alert.Domain, "a.evil-c2.example"))
				s.Status()
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
