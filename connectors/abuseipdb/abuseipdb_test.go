package abuseipdb

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

// replay answers like AbuseIPDB's CHECK endpoint: Key header, ipAddress and
// maxAgeInDays query parameters; hit serves the file named in hitFile.
func replay(t testing.TB, sc conformance.Scenario, hitFile string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		switch {
		case r.Header.Get("Key") == "":
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(payload(t, "error_auth.json"))
			return
		case r.URL.Path != "/api/v2/check" || q.Get("maxAgeInDays") == "":
			w.WriteHeader(http.StatusNotFound)
			return
		case q.Get("ipAddress") == "" || strings.ContainsAny(q.Get("ipAddress"), "/ "):
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write(payload(t, "error_invalid_ip.json"))
			return
		}
		switch sc {
		case conformance.ScenarioHit:
			w.Write(payload(t, hitFile))
		case conformance.ScenarioMiss:
			w.Write(payload(t, "check_unreported.json"))
		case conformance.ScenarioUnauthorized:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(payload(t, "error_auth.json"))
		case conformance.ScenarioRateLimited:
			w.Header().Set("X-RateLimit-Limit", "1000")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("Retry-After", "29")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write(payload(t, "error_rate_limit.json"))
		case conformance.ScenarioServerError:
			w.WriteHeader(http.StatusInternalServerError)
		case conformance.ScenarioGarbage:
			w.Write(payload(t, "garbage.html"))
		}
	})
}

func newClient(t testing.TB, raw, baseURL, secret string, deps connector.Deps) *Client {
	t.Helper()
	cfg, err := connector.DecodeConfig[Config](json.RawMessage(raw))
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

const defaultConfig = `{"api_key":{"env":"ABUSEIPDB_API_KEY"}}`

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Suite{
		Name: Name,
		New: func(t *testing.T, baseURL, secret string, deps connector.Deps) connector.Enricher {
			return newClient(t, defaultConfig, baseURL, secret, deps)
		},
		Handler: func(sc conformance.Scenario) http.Handler { return replay(t, sc, "check_malicious.json") },
		Observables: map[conformance.Scenario]alert.Observable{
			conformance.ScenarioHit: {Type: alert.IPv4, Value: "203.0.113.66"},
		},
	})
}

func TestEnrich(t *testing.T) {
	for _, tc := range []struct {
		name, file, config string
		want               alert.Reputation
		category           string
	}{
		{"malicious", "check_malicious.json", defaultConfig, alert.Malicious, ""},
		{"tor exit in the suspicious band", "check_tor.json", defaultConfig, alert.Suspicious, "tor_exit"},
		{"tor exit below a raised band", "check_tor.json", `{"api_key":{"env":"K"},"suspicious_score":50}`, alert.Unknown, "tor_exit"},
		{"whitelisted", "check_whitelisted.json", defaultConfig, alert.Benign, "whitelisted"},
		{"unreported", "check_unreported.json", defaultConfig, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotQuery string
			h := replay(t, conformance.ScenarioHit, tc.file)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotQuery = r.URL.RawQuery
				h.ServeHTTP(w, r)
			}))
			defer srv.Close()
			c := newClient(t, tc.config, srv.URL, "k", connector.Deps{HTTP: srv.Client()})
			fs, err := c.Enrich(context.Background(), alert.Observable{Type: alert.IPv4, Value: "203.0.113.66"})
			if err != nil {
				t.Fatal(err)
			}
			if gotQuery != "ipAddress=203.0.113.66&maxAgeInDays=90" {
				t.Errorf("query = %q", gotQuery)
			}
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("unreported address gave findings: %+v", fs)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("findings = %+v", fs)
			}
			f := fs[0]
			if f.Reputation != tc.want || f.Source != Name || f.LastSeen == nil {
				t.Errorf("finding = %+v, want %s", f, tc.want)
			}
			if tc.category != "" && !slices.Contains(f.Categories, tc.category) {
				t.Errorf("categories %v lack %q", f.Categories, tc.category)
			}
			checkGolden(t, "golden/"+strings.ReplaceAll(tc.name, " ", "_")+".json", f)
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

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		file   string
		want   connector.Kind
		text   string
	}{
		{http.StatusUnauthorized, "error_auth.json", connector.Unauthorized, "Authentication failed"},
		{http.StatusTooManyRequests, "error_rate_limit.json", connector.RateLimited, "Daily rate limit"},
		{http.StatusUnprocessableEntity, "error_invalid_ip.json", connector.Permanent, "valid IPv4"},
		{http.StatusBadGateway, "garbage.html", connector.Retryable, "http 502"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Retry-After": {"120"}}}
			err := statusError(resp, payload(t, tc.file), connector.NewSecret("k3y"))
			if connector.KindOf(err) != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("statusError = %v (%s), want %s mentioning %q", err, connector.KindOf(err), tc.want, tc.text)
			}
			var ce *connector.Error
			if tc.want == connector.RateLimited && (!errors.As(err, &ce) || ce.RetryAfter.Seconds() != 120) {
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
		{`{"api_key":{"env":"K"},"max_age_in_days":400}`, "max_age_in_days"},
		{`{"api_key":{"env":"K"},"malicious_score":40,"suspicious_score":60}`, "suspicious_score"},
		{`{"api_key":{"env":"K"},"malicious_score":101}`, "malicious_score"},
		{`{"api_key":{"env":"K"},"key":"inline"}`, "unknown field"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(tc.raw))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && (cfg.BaseURL != DefaultBaseURL || cfg.MaxAgeInDays != 90 || cfg.MaliciousScore != 75 || cfg.SuspiciousScore != 25):
				t.Errorf("defaults not applied: %+v", cfg)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"check_malicious.json", "check_tor.json", "check_whitelisted.json", "check_unreported.json", "error_auth.json", "garbage.html"} {
		f.Add(payload(f, name))
	}
	c := &Client{malicious: 75, suspicious: 25}
	f.Fuzz(func(t *testing.T, body []byte) {
		fs, err := c.parse(body)
		if err != nil {
			if connector.KindOf(err) != connector.Permanent {
				t.Fatalf("decode error is %s, want permanent", connector.KindOf(err))
			}
			return
		}
		for _, fd := range fs {
			if fd.Source != Name || fd.Reputation == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := payload(b, "check_tor.json")
	c := &Client{malicious: 75, suspicious: 25}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.parse(body); err != nil {
			b.Fatal(err)
		}
	}
}
