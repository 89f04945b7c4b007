package virustotal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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

// replay answers like VirusTotal: the key must be in x-apikey, the path
// must be one of API v3's object paths, and the scenario picks the answer.
func replay(t testing.TB, sc conformance.Scenario) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-apikey") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"AuthenticationRequiredError","message":"X-Apikey header is missing"}}`))
			return
		}
		var file string
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, "/api/v3/ip_addresses/"):
			file = "ip_hit.json"
		case strings.HasPrefix(p, "/api/v3/domains/"):
			file = "domain_hit.json"
		case strings.HasPrefix(p, "/api/v3/urls/"):
			file = "url_hit.json"
		case strings.HasPrefix(p, "/api/v3/files/"):
			file = "file_hit.json"
		default:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":{"code":"BadRequestError","message":"unknown path"}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch sc {
		case conformance.ScenarioHit:
			w.Write(payload(t, file))
		case conformance.ScenarioMiss:
			w.WriteHeader(http.StatusNotFound)
			w.Write(payload(t, "not_found.json"))
		case conformance.ScenarioUnauthorized:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(payload(t, "wrong_credentials.json"))
		case conformance.ScenarioRateLimited:
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write(payload(t, "quota_exceeded.json"))
		case conformance.ScenarioServerError:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(payload(t, "transient_error.json"))
		case conformance.ScenarioGarbage:
			w.Write(payload(t, "garbage.html"))
		}
	})
}

func newClient(t testing.TB, baseURL, secret string, deps connector.Deps) *Client {
	t.Helper()
	cfg, err := connector.DecodeConfig[Config](json.RawMessage(`{"base_url":"` + baseURL + `","api_key":{"env":"VT_API_KEY"}}`))
	if err != nil {
		t.Fatal(err)
	}
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
		Handler: func(sc conformance.Scenario) http.Handler { return replay(t, sc) },
		Observables: map[conformance.Scenario]alert.Observable{
			conformance.ScenarioHit:  {Type: alert.IPv4, Value: "203.0.113.66"},
			conformance.ScenarioMiss: {Type: alert.SHA256, Value: strings.Repeat("ab", 32)},
		},
	})
}

func TestEnrich(t *testing.T) {
	srv := httptest.NewServer(replay(t, conformance.ScenarioHit))
	defer srv.Close()
	c := newClient(t, srv.URL, "k", connector.Deps{HTTP: srv.Client()})
	for _, tc := range []struct {
		name     string
		obs      alert.Observable
		rep      alert.Reputation
		family   string
		category string
	}{
		{"ip", alert.Observable{Type: alert.IPv4, Value: "203.0.113.66"}, alert.Malicious, "", ""},
		{"domain", alert.Observable{Type: alert.Domain, Value: "login-example-verify.test"}, alert.Suspicious, "", "phishing"},
		{"url", alert.Observable{Type: alert.URL, Value: "http://malware.example.test/payload.exe"}, alert.Malicious, "", "malware sites"},
		{"file", alert.Observable{Type: alert.MD5, Value: "44d88612fea8a8f36de82e1278abb02f"}, alert.Malicious, "virus.eicar/test", "virus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := c.Enrich(context.Background(), tc.obs)
			if err != nil || len(fs) != 1 {
				t.Fatalf("Enrich = %v, %v", fs, err)
			}
			f := fs[0]
			if f.Reputation != tc.rep || f.Family != tc.family || f.Source != Name {
				t.Errorf("finding = %s %q from %s, want %s %q", f.Reputation, f.Family, f.Source, tc.rep, tc.family)
			}
			if tc.category != "" && !containsString(f.Categories, tc.category) {
				t.Errorf("categories %v lack %q", f.Categories, tc.category)
			}
			if f.LastSeen == nil || f.AsOf == nil || len(f.Raw) == 0 {
				t.Errorf("dates or raw missing: %+v", f)
			}
			checkGolden(t, "golden/"+tc.name+".json", f)
		})
	}
}

func containsString(ss []string, s string) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
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

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		name      string
		file      string
		threshold int
		want      alert.Reputation
	}{
		{"many engines", "ip_hit.json", 3, alert.Malicious},
		{"below a high threshold", "ip_hit.json", 12, alert.Suspicious},
		{"no engine", "ip_clean.json", 3, alert.Unknown},
		{"few engines", "domain_hit.json", 3, alert.Suspicious},
		{"few engines, threshold 2", "domain_hit.json", 2, alert.Malicious},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parse(payload(t, tc.file), tc.threshold)
			if err != nil {
				t.Fatal(err)
			}
			if f.Reputation != tc.want {
				t.Errorf("Reputation = %s, want %s (%s)", f.Reputation, tc.want, f.Detail)
			}
		})
	}
}

func TestObjectPath(t *testing.T) {
	for _, tc := range []struct {
		obs  alert.Observable
		want string
	}{
		{alert.Observable{Type: alert.IPv6, Value: "2001:DB8::1"}, "/api/v3/ip_addresses/2001:db8::1"},
		{alert.Observable{Type: alert.Domain, Value: "Example.TEST"}, "/api/v3/domains/example.test"},
		// base64url of "http://a.test/?x=1" without the "=" padding.
		{alert.Observable{Type: alert.URL, Value: "http://a.test/?x=1"}, "/api/v3/urls/aHR0cDovL2EudGVzdC8_eD0x"},
		{alert.Observable{Type: alert.SHA1, Value: "3395856CE81F2B7382DEE72602F798B642F14140"}, "/api/v3/files/3395856ce81f2b7382dee72602f798b642f14140"},
		{alert.Observable{Type: alert.SHA256, Value: "abc"}, "permanent"},
		{alert.Observable{Type: alert.IPv4, Value: "not-an-ip"}, "permanent"},
		{alert.Observable{Type: alert.Domain, Value: "evil.test/path"}, "permanent"},
		{alert.Observable{Type: alert.CVE, Value: "CVE-2024-1"}, "permanent"},
	} {
		t.Run(string(tc.obs.Type)+" "+tc.obs.Value, func(t *testing.T) {
			got, err := objectPath(tc.obs)
			if err != nil {
				got = connector.KindOf(err).String()
			}
			if got != tc.want {
				t.Errorf("objectPath = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		file   string
		want   connector.Kind
		text   string
	}{
		{http.StatusUnauthorized, "wrong_credentials.json", connector.Unauthorized, "WrongCredentialsError"},
		{http.StatusForbidden, "wrong_credentials.json", connector.Unauthorized, "http 403"},
		{http.StatusTooManyRequests, "quota_exceeded.json", connector.RateLimited, "QuotaExceededError"},
		{http.StatusServiceUnavailable, "transient_error.json", connector.Retryable, "TransientError"},
		{http.StatusBadRequest, "garbage.html", connector.Permanent, "http 400"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}}
			err := statusError(resp, payload(t, tc.file), connector.NewSecret("k3y"))
			if connector.KindOf(err) != tc.want || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("statusError = %v (%s), want %s mentioning %q", err, connector.KindOf(err), tc.want, tc.text)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		raw, wantErr string
	}{
		{`{"api_key":{"env":"VT_API_KEY"}}`, ""},
		{`{}`, "api_key: required"},
		{`{"api_key":{"env":"K"},"base_url":"ftp://x"}`, "base_url"},
		{`{"api_key":{"env":"K"},"malicious_threshold":-1}`, "malicious_threshold"},
		{`{"api_key":{"env":"K"},"apikey":"inline"}`, "unknown field"},
	} {
		t.Run(tc.raw, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(tc.raw))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && (cfg.BaseURL != DefaultBaseURL || cfg.MaliciousThreshold != 3):
				t.Errorf("defaults not applied: %+v", cfg)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
	t.Setenv("WINNOW_VT_TEST", "")
	f, _ := connector.LookupEnricher(Name)
	if _, err := f(json.RawMessage(`{"api_key":{"env":"WINNOW_VT_TEST"}}`), connector.Deps{}); !errors.Is(err, connector.ErrNoSecret) {
		t.Errorf("unset key: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"ip_hit.json", "ip_clean.json", "domain_hit.json", "url_hit.json", "file_hit.json", "not_found.json", "garbage.html"} {
		f.Add(payload(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fd, err := parse(body, 3)
		if err != nil {
			if connector.KindOf(err) != connector.Permanent {
				t.Fatalf("decode error is %s, want permanent", connector.KindOf(err))
			}
			return
		}
		if fd.Source != Name || fd.Confidence < 0 || fd.Confidence > 100 {
			t.Fatalf("bad finding %+v", fd)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := payload(b, "file_hit.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(body, 3); err != nil {
			b.Fatal(err)
		}
	}
}
