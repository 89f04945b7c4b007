package rdap

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

// now is the fixed clock of the tests: 13 days after domain_new.json's
// registration.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type reply struct {
	status int
	file   string
	header map[string]string
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

var serviceURL = regexp.MustCompile(`https?://`)

// loopbackBootstrap rewrites every service URL of a recorded bootstrap file
// to base: "https://rdap.arin.net/registry/" becomes
// base+"/rdap.arin.net/registry/".
func loopbackBootstrap(t testing.TB, name, base string) []byte {
	return serviceURL.ReplaceAll(readTestdata(t, filepath.Join("bootstrap", name)), []byte(base+"/"))
}

// replay serves the loopback bootstrap under /iana/ and recorded RDAP
// answers at the paths in routes; it counts bootstrap loads.
func replay(t *testing.T, routes map[string]reply, boots *atomic.Int32) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/iana/"); ok {
			if boots != nil && name == fileDNS {
				boots.Add(1)
			}
			w.Write(loopbackBootstrap(t, name, srv.URL))
			return
		}
		if r.Header.Get("Accept") != "application/rdap+json" {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		rp, ok := routes[r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s", r.URL.Path)
			rp = reply{404, "not_found.json", nil}
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		w.WriteHeader(rp.status)
		if rp.file != "" {
			w.Write(readTestdata(t, rp.file))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := New(&cfg, connector.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return now }
	return c
}

func TestEnrich(t *testing.T) {
	dom := func(v string) alert.Observable { return alert.Observable{Type: alert.Domain, Value: v} }
	for _, c := range []struct {
		name      string
		obs       alert.Observable
		routes    map[string]reply
		want      alert.Reputation // "" means no finding
		wantCats  string
		wantFirst string
		wantIn    string
		wantKind  connector.Kind
		wantErr   string
		wantRetry time.Duration
	}{
		{name: "old domain is context", obs: dom("www.Example.com"),
			routes: map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {200, "domain_example.json", nil}},
			want:   alert.Context, wantFirst: "1995-08-14", wantIn: "registrar RESERVED-Internet Assigned Numbers Authority"},
		{name: "newly registered domain is suspicious", obs: dom("secure-login-verify-account.com"),
			routes: map[string]reply{"/rdap.verisign.com/com/v1/domain/secure-login-verify-account.com": {200, "domain_new.json", nil}},
			want:   alert.Suspicious, wantCats: "newly_registered", wantFirst: "2026-11-10", wantIn: "(13 days ago), registrar NameCheap, Inc."},
		{name: "ip network, longest prefix", obs: alert.Observable{Type: alert.IPv4, Value: "8.8.8.8"},
			routes: map[string]reply{"/rdap.example-nir.net/ip/8.8.8.8": {200, "ip_google.json", nil}},
			want:   alert.Context, wantIn: "network GOGL (NET-8-8-8-0-2, 8.8.8.0 - 8.8.8.255), registrant Google LLC"},
		{name: "ip network, covering prefix", obs: alert.Observable{Type: alert.IPv4, Value: "8.9.1.1"},
			routes: map[string]reply{"/rdap.arin.net/registry/ip/8.9.1.1": {200, "ip_google.json", nil}},
			want:   alert.Context, wantIn: "GOGL"},
		{name: "ipv6", obs: alert.Observable{Type: alert.IPv6, Value: "2001:4200::1"},
			routes: map[string]reply{"/rdap.afrinic.net/rdap/ip/2001:4200::1": {404, "not_found.json", nil}}},
		{name: "not found", obs: dom("nothing-here.org"),
			routes: map[string]reply{"/rdap.publicinterestregistry.org/rdap/domain/nothing-here.org": {404, "not_found.json", nil}}},
		{name: "tld without rdap", obs: dom("example.de")},
		{name: "address outside the registry", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.1"}},
		{name: "refused", obs: dom("example.com"),
			routes:   map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {403, "", nil}},
			wantKind: connector.Unauthorized, wantErr: "http 403"},
		{name: "rate limited", obs: dom("example.com"),
			routes:   map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {429, "", map[string]string{"Retry-After": "10"}}},
			wantKind: connector.RateLimited, wantErr: "http 429", wantRetry: 10 * time.Second},
		{name: "server error", obs: dom("example.com"),
			routes:   map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {500, "", nil}},
			wantKind: connector.Retryable, wantErr: "http 500"},
		{name: "garbage", obs: dom("example.com"),
			routes:   map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {200, "SOURCE.md", nil}},
			wantKind: connector.Permanent, wantErr: "decode domain object"},
		{name: "wrong object class", obs: dom("example.com"),
			routes:   map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {200, "ip_google.json", nil}},
			wantKind: connector.Permanent, wantErr: `objectClassName "ip network"`},
		{name: "public suffix only", obs: dom("co.uk"), wantKind: connector.Permanent, wantErr: "no registrable domain"},
		{name: "unsupported", obs: alert.Observable{Type: alert.URL, Value: "http://example.com/"},
			wantKind: connector.Permanent, wantErr: "unsupported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := replay(t, c.routes, nil)
			got, err := newClient(t, Config{BootstrapURL: srv.URL + "/iana"}).Enrich(context.Background(), c.obs)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if k := connector.KindOf(err); k != c.wantKind {
					t.Errorf("kind = %s, want %s", k, c.wantKind)
				}
				var ce *connector.Error
				if c.wantRetry > 0 && (!errors.As(err, &ce) || ce.RetryAfter != c.wantRetry) {
					t.Errorf("RetryAfter = %+v, want %s", ce, c.wantRetry)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if len(got) != 0 {
					t.Fatalf("findings = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("findings = %+v, want one", got)
			}
			if len(got) > 0 {
				conformance.Golden(t, got)
			}
			f := got[0]
			if f.Source != Name || f.Reputation != c.want || strings.Join(f.Categories, ",") != c.wantCats ||
				!strings.Contains(f.Detail, c.wantIn) || !json.Valid(f.Raw) {
				t.Errorf("finding = %s %s %v %q", f.Source, f.Reputation, f.Categories, f.Detail)
			}
			first := ""
			if f.FirstSeen != nil {
				first = f.FirstSeen.Format(time.DateOnly)
			}
			if first != c.wantFirst {
				t.Errorf("FirstSeen = %q, want %q", first, c.wantFirst)
			}
		})
	}
}

func TestBootstrapCache(t *testing.T) {
	var boots atomic.Int32
	srv := replay(t, map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {200, "domain_example.json", nil}}, &boots)
	c := newClient(t, Config{BootstrapURL: srv.URL + "/iana/", BootstrapRefreshHours: 1})
	for range 3 {
		if _, err := c.Enrich(context.Background(), alert.Observable{Type: alert.Domain, Value: "example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := boots.Load(); n != 1 {
		t.Errorf("bootstrap loaded %d times for 3 lookups, want 1", n)
	}
	c.now = func() time.Time { return now.Add(2 * time.Hour) }
	c.Enrich(context.Background(), alert.Observable{Type: alert.Domain, Value: "example.com"})
	if n := boots.Load(); n != 2 {
		t.Errorf("stale bootstrap not reloaded: %d loads", n)
	}
}

func TestBootstrapDir(t *testing.T) {
	srv := replay(t, map[string]reply{"/rdap.verisign.com/com/v1/domain/example.com": {200, "domain_example.json", nil}}, nil)
	dir := t.TempDir()
	for _, n := range []string{fileDNS, fileIPv4, fileIPv6} {
		if err := os.WriteFile(filepath.Join(dir, n), loopbackBootstrap(t, n, srv.URL), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := newClient(t, Config{BootstrapDir: dir}).Enrich(context.Background(), alert.Observable{Type: alert.Domain, Value: "example.com"})
	if err != nil || len(got) != 1 || got[0].Reputation != alert.Context {
		t.Fatalf("findings = %+v, err = %v", got, err)
	}
	_, err = newClient(t, Config{BootstrapDir: t.TempDir()}).Enrich(context.Background(), alert.Observable{Type: alert.Domain, Value: "example.com"})
	if err == nil || !strings.Contains(err.Error(), "load bootstrap dns.json") {
		t.Errorf("missing bootstrap file: err = %v", err)
	}
}

func TestPickServer(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []string
		want string
	}{
		{"https preferred", []string{"http://rdap.a.net/x", "https://rdap.a.net/x"}, "https://rdap.a.net/x/"},
		{"http fallback", []string{"ftp://a", "http://rdap.b.net/"}, "http://rdap.b.net/"},
		{"credentials refused", []string{"https://u:p@rdap.c.net/"}, ""},
		{"none", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if u := pickServer(c.in); u != nil {
				got = u.String()
			}
			if got != c.want {
				t.Errorf("pickServer = %q, want %q", got, c.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct{ name, raw, wantErr string }{
		{"defaults", `{}`, ""},
		{"every problem", `{"bootstrap_url":"data.iana.org","newly_registered_days":-1,"bootstrap_refresh_hours":-2}`, "bootstrap_refresh_hours"},
		{"unknown field", `{"server":"https://rdap.example/"}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(c.raw))
			if c.wantErr == "" {
				if err != nil || cfg.BootstrapURL != DefaultBootstrapURL || cfg.NewlyRegisteredDays != 30 {
					t.Fatalf("cfg = %+v, err = %v", cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want %q", err, c.wantErr)
			}
		})
	}
	if _, ok := connector.LookupEnricher(Name); !ok {
		t.Error("rdap is not registered")
	}
}

func FuzzParseDomain(f *testing.F) {
	for _, n := range []string{"domain_example.json", "domain_new.json", "ip_google.json", "not_found.json"} {
		f.Add(readTestdata(f, n))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fs, err := parseDomain(body, now, 30)
		if err != nil && connector.KindOf(err) != connector.Permanent {
			t.Fatalf("parse error of kind %s: %v", connector.KindOf(err), err)
		}
		for _, fd := range fs {
			if fd.Reputation == alert.Suspicious && (fd.FirstSeen == nil || now.Sub(*fd.FirstSeen) >= 30*24*time.Hour) {
				t.Fatalf("suspicious without a recent registration: %+v", fd)
			}
		}
	})
}

func FuzzParseBootstrap(f *testing.F) {
	for _, n := range []string{fileDNS, fileIPv4, fileIPv6} {
		f.Add(n, readTestdata(f, filepath.Join("bootstrap", n)))
	}
	f.Fuzz(func(t *testing.T, kind string, body []byte) {
		reg := newRegistry()
		if err := parseBootstrap(reg, kind, body); err != nil {
			return
		}
		for _, s := range reg.dns {
			if s.Scheme != "https" && s.Scheme != "http" {
				t.Fatalf("server with scheme %q", s.Scheme)
			}
		}
	})
}

func BenchmarkParseDomain(b *testing.B) {
	body := readTestdata(b, "domain_example.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseDomain(body, now, 30); err != nil {
			b.Fatal(err)
		}
	}
}
