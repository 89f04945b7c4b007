package shodan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

func payload(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read recorded payload: %v", err)
	}
	return b
}

// replay answers like Shodan's host endpoint: key query parameter,
// /shodan/host/{ip}; hit serves hitFile.
func replay(t testing.TB, sc conformance.Scenario, hitFile string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("key") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(payload(t, "unauthorized.json"))
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/shodan/host/") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		switch sc {
		case conformance.ScenarioHit:
			w.Write(payload(t, hitFile))
		case conformance.ScenarioMiss:
			w.WriteHeader(http.StatusNotFound)
			w.Write(payload(t, "not_found.json"))
		case conformance.ScenarioUnauthorized:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(payload(t, "unauthorized.json"))
		case conformance.ScenarioRateLimited:
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write(payload(t, "rate_limited.json"))
		case conformance.ScenarioServerError:
			w.WriteHeader(http.StatusBadGateway)
			w.Write(payload(t, "garbage.html"))
		case conformance.ScenarioGarbage:
			w.Write(payload(t, "garbage.html"))
		}
	})
}

const defaultConfig = `{"api_key":{"env":"SHODAN_API_KEY"}}`

func newClient(t testing.TB, baseURL, secret string, deps connector.Deps) *Client {
	t.Helper()
	cfg, err := connector.DecodeConfig[Config](json.RawMessage(defaultConfig))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = baseURL
	c, err := New(cfg, connector.NewSecret(secret), deps)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Suite{
		Name: Name,
		New: func(t *testing.T, baseURL, secret string, deps connector.Deps) connector.Enricher {
			return newClient(t, baseURL, secret, deps)
		},
		Handler: func(sc conformance.Scenario) http.Handler { return replay(t, sc, "host_c2.json") },
		Observables: map[conformance.Scenario]alert.Observable{
			conformance.ScenarioHit: {Type: alert.IPv4, Value: "203.0.113.66"},
		},
	})
}

func TestEnrich(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       alert.Reputation
		categories []string
		detail     string
	}{
		{"c2", "host_c2.json", alert.Malicious, []string{"c2", "asn:AS64500", "hostname:vps-66.hosting.example"}, "tagged c2; 3 open ports (22 80 8443)"},
		{"scanner", "host_scanner.json", alert.Suspicious, []string{"scanner", "cloud"}, "tagged scanner"},
		{"vulnerable", "host_vulnerable.json", alert.Context, []string{"eol-product", "hostname:vpn.manufacturing.example"}, "3 vulnerabilities (CVE-2019-0708 CVE-2021-44228 CVE-2023-4966)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotPath string
			h := replay(t, conformance.ScenarioHit, tc.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath = r.URL.Path
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			c := newClient(t, srv.URL, "k", connector.Deps{HTTP: srv.Client()})
			fs, err := c.Enrich(context.Background(), alert.Observable{Type: alert.IPv6, Value: "2001:DB8::7"})
			if err != nil || len(fs) != 1 {
				t.Fatalf("Enrich = %+v, %v", fs, err)
			}
			if gotPath != "/shodan/host/2001:db8::7" {
				t.Errorf("path = %q", gotPath)
			}
			f := fs[0]
			if f.Reputation != tc.want || f.Source != Name || f.LastSeen == nil {
				t.Errorf("finding = %+v, want %s", f, tc.want)
			}
			for _, c := range tc.categories {
				if !slices.Contains(f.Categories, c) {
					t.Errorf("categories %v lack %q", f.Categories, c)
				}
			}
			if !strings.Contains(f.Detail, tc.detail) {
				t.Errorf("detail %q lacks %q", f.Detail, tc.detail)
			}
			checkGolden(t, "golden/"+tc.name+".json", f)
		})
	}
}

// checkGolden compares the finding, without its raw payload, to a golden
// file; UPDATE_GOLDEN=1 rewrites it.
func checkGolden(t *testing.T, name string, f alert.Finding) {
	t.Helper()
	f.Raw = nil
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s missing (run with UPDATE_GOLDEN=1): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s drifted:\n got %s\nwant %s", path, got, want)
	}
}

// TestKeyRedacted drives a transport failure whose message includes the
// request URL, where Shodan's key sits.
func TestKeyRedacted(t *testing.T) {
	const key = "SHODAN-KEY-1234567890"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler) // drops the connection mid-request
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, key, connector.Deps{HTTP: srv.Client()})
	_, err := c.Enrich(context.Background(), alert.Observable{Type: alert.IPv4, Value: "192.0.2.1"})
	if err == nil {
		t.Fatal("no error from a dropped connection")
	}
	if strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error not redacted: %v", err)
	}
	if connector.KindOf(err) != connector.Retryable {
		t.Errorf("kind = %s, want retryable", connector.KindOf(err))
	}
}

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		file   string
		want   connector.Kind
		text   string
	}{
		{http.StatusUnauthorized, "unauthorized.json", connector.Unauthorized, "valid API key"},
		{http.StatusTooManyRequests, "rate_limited.json", connector.RateLimited, "rate limit reached"},
		{http.StatusBadRequest, "garbage.html", connector.Permanent, "http 400"},
		{http.StatusServiceUnavailable, "garbage.html", connector.Retryable, "http 503"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {"2"}}}
			err := statusError(resp, payload(t, tc.file), connector.NewSecret("k3y"))
			if connector.KindOf(err) != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("statusError = %v (%s), want %s mentioning %q", err, connector.KindOf(err), tc.want, tc.text)
			}
			var ce *connector.Error
			if tc.want == connector.RateLimited && (!errors.As(err, &ce) || ce.RetryAfter.Seconds() != 2) {
				t.Errorf("Retry-After lost: %+v", ce)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		raw, wantErr string
	}{
		{defaultConfig, ""},
		{`{}`, "api_key: required"},
		{`{"api_key":{"env":"K"},"base_url":"api.shodan.io"}`, "base_url"},
		{`{"api_key":{"env":"K"},"malicious_tags":["scanner"]}`, `"scanner" is both`},
		{`{"api_key":{"env":"K"},"key":"inline"}`, "unknown field"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(tc.raw))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && (cfg.BaseURL != DefaultBaseURL || !slices.Contains(cfg.MaliciousTags, "c2")):
				t.Errorf("defaults not applied: %+v", cfg)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func defaultClient() *Client {
	var cfg Config
	cfg.Defaults()
	return &Client{malicious: set(cfg.MaliciousTags), suspicious: set(cfg.SuspiciousTags)}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"host_c2.json", "host_scanner.json", "host_vulnerable.json", "not_found.json", "garbage.html"} {
		f.Add(payload(f, name))
	}
	c := defaultClient()
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, err := c.parse(body)
		if err != nil {
			if connector.KindOf(err) != connector.Permanent {
				t.Fatalf("decode error is %s, want permanent", connector.KindOf(err))
			}
			return
		}
		if fd.Source != Name || fd.Reputation == "" {
			t.Fatalf("bad finding %+v", fd)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := payload(b, "host_c2.json")
	c := defaultClient()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
