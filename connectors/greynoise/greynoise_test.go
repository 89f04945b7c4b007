package greynoise

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

const testKey = "gn-test-key-0123456789"

// reply is one recorded answer the loopback server replays.
type reply struct {
	status int
	file   string
	header map[string]string
}

func replay(t *testing.T, routes map[string]reply) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s, want GET", r.Method)
		}
		rp, ok := routes[r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rp.status)
		if rp.file != "" {
			w.Write(readTestdata(t, rp.file))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

func newClient(t *testing.T, base, edition string) *Client {
	t.Helper()
	cfg := &Config{BaseURL: base, Edition: edition, APIKey: connector.SecretRef{Env: "GN_KEY"}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, connector.NewSecret(testKey), connector.Deps{HTTP: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEnrich(t *testing.T) {
	ip := func(v string) alert.Observable { return alert.Observable{Type: alert.IPv4, Value: v} }
	for _, c := range []struct {
		name       string
		edition    string
		obs        alert.Observable
		routes     map[string]reply
		want       alert.Reputation // "" means no finding
		wantCats   []string
		wantDetail string
		wantKind   connector.Kind
		wantErr    string
		wantRetry  time.Duration
	}{
		{name: "community malicious", edition: Community, obs: ip("71.6.135.131"),
			routes: map[string]reply{"/v3/community/71.6.135.131": {200, "community_malicious.json", nil}},
			want:   alert.Malicious, wantCats: []string{"scanner"}, wantDetail: "malicious"},
		{name: "community riot", edition: Community, obs: ip("8.8.8.8"),
			routes: map[string]reply{"/v3/community/8.8.8.8": {200, "community_riot.json", nil}},
			want:   alert.Benign, wantCats: []string{"known_service"}, wantDetail: "Google Public DNS"},
		{name: "community noise without classification", edition: Community, obs: ip("45.83.66.65"),
			routes: map[string]reply{"/v3/community/45.83.66.65": {200, "community_noise.json", nil}},
			want:   alert.Suspicious, wantCats: []string{"scanner"}, wantDetail: "background noise"},
		{name: "community benign scanner", edition: Community, obs: ip("66.240.205.34"),
			routes: map[string]reply{"/v3/community/66.240.205.34": {200, "community_benign_scanner.json", nil}},
			want:   alert.Benign, wantCats: []string{"scanner"}, wantDetail: "Shodan.io"},
		{name: "community not found", edition: Community, obs: ip("203.0.113.7"),
			routes: map[string]reply{"/v3/community/203.0.113.7": {404, "community_not_found.json", nil}}},
		{name: "unauthorized", edition: Community, obs: ip("8.8.8.8"),
			routes:   map[string]reply{"/v3/community/8.8.8.8": {401, "unauthorized.json", nil}},
			wantKind: connector.Unauthorized, wantErr: "Authentication required"},
		{name: "rate limited", edition: Community, obs: ip("8.8.8.8"),
			routes:   map[string]reply{"/v3/community/8.8.8.8": {429, "community_rate_limited.json", map[string]string{"Retry-After": "120"}}},
			wantKind: connector.RateLimited, wantErr: "daily rate limit", wantRetry: 2 * time.Minute},
		{name: "server error", edition: Community, obs: ip("8.8.8.8"),
			routes:   map[string]reply{"/v3/community/8.8.8.8": {503, "", nil}},
			wantKind: connector.Retryable, wantErr: "http 503"},
		{name: "garbage", edition: Community, obs: ip("8.8.8.8"),
			routes:   map[string]reply{"/v3/community/8.8.8.8": {200, "SOURCE.md", nil}},
			wantKind: connector.Permanent, wantErr: "decode community response"},
		{name: "not an ipv4", edition: Community, obs: ip("example.com"),
			wantKind: connector.Permanent, wantErr: "not an IPv4"},
		{name: "enterprise malicious", edition: Enterprise, obs: ip("71.6.135.131"),
			routes: map[string]reply{
				"/v2/noise/context/71.6.135.131": {200, "enterprise_context.json", nil},
				"/v2/riot/71.6.135.131":          {200, "enterprise_riot_false.json", nil},
			},
			want: alert.Malicious, wantCats: []string{"scanner", "Mirai", "SSH Bruteforcer"}, wantDetail: "malicious"},
		{name: "enterprise riot", edition: Enterprise, obs: ip("8.8.8.8"),
			routes: map[string]reply{
				"/v2/noise/context/8.8.8.8": {200, "enterprise_context_unseen.json", nil},
				"/v2/riot/8.8.8.8":          {200, "enterprise_riot.json", nil},
			},
			want: alert.Benign, wantCats: []string{"known_service", "public_dns"}, wantDetail: "Google Public DNS"},
		{name: "enterprise unseen", edition: Enterprise, obs: ip("71.6.135.131"),
			routes: map[string]reply{
				"/v2/noise/context/71.6.135.131": {200, "enterprise_context_unseen.json", nil},
				"/v2/riot/71.6.135.131":          {404, "", nil},
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := replay(t, c.routes)
			cl := newClient(t, srv.URL, c.edition)
			got, err := cl.Enrich(context.Background(), c.obs)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, c.wantErr)
				}
				if k := connector.KindOf(err); k != c.wantKind {
					t.Errorf("kind = %s, want %s", k, c.wantKind)
				}
				var ce *connector.Error
				if c.wantRetry > 0 && (!errors.As(err, &ce) || ce.RetryAfter != c.wantRetry) {
					t.Errorf("RetryAfter = %+v, want %s", ce, c.wantRetry)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("key leaked in error: %v", err)
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
			if f.Source != Name || f.Reputation != c.want || !strings.Contains(f.Detail, c.wantDetail) {
				t.Errorf("finding = %s %s %q", f.Source, f.Reputation, f.Detail)
			}
			if strings.Join(f.Categories, ",") != strings.Join(c.wantCats, ",") {
				t.Errorf("categories = %v, want %v", f.Categories, c.wantCats)
			}
			if (f.LastSeen == nil && f.AsOf == nil) || f.Confidence == 0 || !json.Valid(f.Raw) {
				t.Errorf("last_seen %v confidence %d raw %s", f.LastSeen, f.Confidence, f.Raw)
			}
		})
	}
}

func TestKeyHeader(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("key"))
		w.Write(readTestdata(t, "community_riot.json"))
	}))
	defer srv.Close()
	newClient(t, srv.URL, Community).Enrich(context.Background(), alert.Observable{Type: alert.IPv4, Value: "8.8.8.8"})
	anon, _ := New(&Config{BaseURL: srv.URL, Edition: Community}, connector.Secret{}, connector.Deps{})
	anon.Enrich(context.Background(), alert.Observable{Type: alert.IPv4, Value: "8.8.8.8"})
	if len(got) != 2 || got[0] != testKey || got[1] != "" {
		t.Errorf("key headers = %q, want [key, none]", got)
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		name, raw, wantErr string
	}{
		{"defaults", `{}`, ""},
		{"enterprise needs a key", `{"edition":"enterprise"}`, "api_key: required"},
		{"bad edition and url", `{"edition":"gold","base_url":"ftp://x"}`, "edition"},
		{"unknown field", `{"apikey":"x"}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(c.raw))
			if c.wantErr == "" {
				if err != nil || cfg.BaseURL != DefaultBaseURL || cfg.Edition != Community {
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
		t.Error("greynoise is not registered")
	}
}

func FuzzParseCommunity(f *testing.F) {
	for _, n := range []string{"community_malicious.json", "community_riot.json", "community_noise.json", "community_not_found.json", "SOURCE.md"} {
		f.Add(readTestdata(f, n))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fs, err := parseCommunity(body)
		if err != nil && connector.KindOf(err) != connector.Permanent {
			t.Fatalf("parse error of kind %s: %v", connector.KindOf(err), err)
		}
		for _, fd := range fs {
			if fd.Source != Name || fd.Reputation == "" {
				t.Fatalf("finding without source or verdict: %+v", fd)
			}
		}
	})
}

func FuzzParseEnterprise(f *testing.F) {
	f.Add(readTestdata(f, "enterprise_context.json"), readTestdata(f, "enterprise_riot.json"))
	f.Add(readTestdata(f, "enterprise_context_unseen.json"), readTestdata(f, "enterprise_riot_false.json"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fs, err := parseEnterprise(a, b)
		if err != nil && connector.KindOf(err) != connector.Permanent {
			t.Fatalf("parse error of kind %s: %v", connector.KindOf(err), err)
		}
		if len(fs) > 1 {
			t.Fatalf("%d findings, want at most one", len(fs))
		}
	})
}

func BenchmarkParseCommunity(b *testing.B) {
	body := readTestdata(b, "community_malicious.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseCommunity(body); err != nil {
			b.Fatal(err)
		}
	}
}
