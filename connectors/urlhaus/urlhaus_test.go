package urlhaus

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

const testKey = "uh-test-key-0123456789"

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

// replay serves recorded answers keyed by "path field=value", checking the
// documented request shape on the way.
func replay(t *testing.T, routes map[string]reply) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Auth-Key") != testKey {
			t.Errorf("request %s with the Auth-Key %t", r.Method, r.Header.Get("Auth-Key") == testKey)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("form: %v", err)
		}
		var key string
		for _, field := range []string{"url", "host", "md5_hash", "sha256_hash"} {
			if v := r.PostForm.Get(field); v != "" {
				key = r.URL.Path + " " + field + "=" + v
			}
		}
		rp, ok := routes[key]
		if !ok {
			t.Errorf("unexpected query %q", key)
			rp = reply{200, "no_results.json", nil}
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rp.status)
		if rp.file != "" {
			w.Write(readTestdata(t, rp.file))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, base string) *Client {
	t.Helper()
	cfg := &Config{BaseURL: base, APIKey: connector.SecretRef{Env: "UH_KEY"}}
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
	const listed = "http://sskymedia.com/VMYB-ht_JAQo-gi/INV/99401FORPO/20673114777/US/Outstanding-Invoices/"
	const sha = "01fa56184fcaa42b6ee1882787a34098c79898c182814774fd81dc18a6af0b00"
	for _, c := range []struct {
		name      string
		obs       alert.Observable
		routes    map[string]reply
		wantConf  int // 0: no finding
		wantCats  string
		wantFam   string
		wantLast  bool
		wantKind  connector.Kind
		wantErr   string
		wantRetry time.Duration
	}{
		{name: "url online", obs: alert.Observable{Type: alert.URL, Value: listed},
			routes:   map[string]reply{"/v1/url/ url=" + listed: {200, "url_ok.json", nil}},
			wantConf: 90, wantCats: "malware_download,emotet,epoch2,heodo", wantFam: "Heodo", wantLast: true},
		{name: "url offline", obs: alert.Observable{Type: alert.URL, Value: "http://vektorex.com/source/Z/Order%20List.exe"},
			routes:   map[string]reply{"/v1/url/ url=http://vektorex.com/source/Z/Order%20List.exe": {200, "url_offline.json", nil}},
			wantConf: 60, wantCats: "malware_download"},
		{name: "domain host", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {200, "host_ok.json", nil}},
			wantConf: 90, wantCats: "malware_download,AgentTesla,exe,Loki"},
		{name: "ip host not listed", obs: alert.Observable{Type: alert.IPv4, Value: "192.0.2.10"},
			routes: map[string]reply{"/v1/host/ host=192.0.2.10": {200, "no_results.json", nil}}},
		{name: "sha256 payload", obs: alert.Observable{Type: alert.SHA256, Value: strings.ToUpper(sha)},
			routes:   map[string]reply{"/v1/payload/ sha256_hash=" + sha: {200, "payload_ok.json", nil}},
			wantConf: 90, wantCats: "malware", wantFam: "Gozi", wantLast: true},
		{name: "md5 payload", obs: alert.Observable{Type: alert.MD5, Value: "12c8aec5766ac3e6f26f2505e2f4a8f2"},
			routes:   map[string]reply{"/v1/payload/ md5_hash=12c8aec5766ac3e6f26f2505e2f4a8f2": {200, "payload_ok.json", nil}},
			wantConf: 90, wantCats: "malware", wantFam: "Gozi", wantLast: true},
		{name: "invalid url", obs: alert.Observable{Type: alert.URL, Value: "nope"},
			routes:   map[string]reply{"/v1/url/ url=nope": {200, "invalid_url.json", nil}},
			wantKind: connector.Permanent, wantErr: "invalid_url"},
		{name: "unauthorized", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {401, "unknown_auth_key.json", nil}},
			wantKind: connector.Unauthorized, wantErr: "http 401"},
		{name: "unknown auth key in a 200", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {200, "unknown_auth_key.json", nil}},
			wantKind: connector.Unauthorized, wantErr: "unknown_auth_key"},
		{name: "rate limited", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {429, "", map[string]string{"Retry-After": "60"}}},
			wantKind: connector.RateLimited, wantErr: "http 429", wantRetry: time.Minute},
		{name: "server error", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {500, "", nil}},
			wantKind: connector.Retryable, wantErr: "http 500"},
		{name: "garbage", obs: alert.Observable{Type: alert.Domain, Value: "vektorex.com"},
			routes:   map[string]reply{"/v1/host/ host=vektorex.com": {200, "SOURCE.md", nil}},
			wantKind: connector.Permanent, wantErr: "decode response"},
		{name: "unsupported", obs: alert.Observable{Type: alert.CVE, Value: "CVE-2021-44228"},
			wantKind: connector.Permanent, wantErr: "unsupported"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := newClient(t, replay(t, c.routes).URL).Enrich(context.Background(), c.obs)
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
			if c.wantConf == 0 {
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
			if f.Source != Name || f.Reputation != alert.Malicious || f.Confidence != c.wantConf || f.Family != c.wantFam ||
				strings.Join(f.Categories, ",") != c.wantCats || (f.LastSeen != nil) != c.wantLast || f.FirstSeen == nil || !json.Valid(f.Raw) {
				t.Errorf("finding = %+v", f)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct{ name, raw, wantErr string }{
		{"key set", `{"api_key":{"file":"/run/secrets/urlhaus"}}`, ""},
		{"key missing", `{}`, "api_key: required"},
		{"every problem", `{"base_url":"::","online_confidence":200,"offline_confidence":-3}`, "offline_confidence"},
		{"unknown field", `{"api_key":{"env":"X"},"auth_key":"v"}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(c.raw))
			if c.wantErr == "" {
				if err != nil || cfg.BaseURL != DefaultBaseURL || cfg.OnlineConfidence != 90 || cfg.OfflineConfidence != 60 {
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
		t.Error("urlhaus is not registered")
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"url_ok.json", "url_offline.json", "host_ok.json", "payload_ok.json", "no_results.json", "invalid_url.json", "SOURCE.md"} {
		for _, p := range []string{"/v1/url/", "/v1/host/", "/v1/payload/"} {
			f.Add(p, readTestdata(f, n))
		}
	}
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		fs, err := parse(path, body, 90, 60)
		if err != nil && connector.KindOf(err) == connector.Retryable {
			t.Fatalf("parse error is retryable: %v", err)
		}
		if err == nil && len(fs) > 1 {
			t.Fatalf("%d findings, want at most one", len(fs))
		}
		for _, fd := range fs {
			if fd.Reputation != alert.Malicious || fd.Source != Name {
				t.Fatalf("finding %+v", fd)
			}
		}
	})
}

func BenchmarkParseURL(b *testing.B) {
	body := readTestdata(b, "url_ok.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse("/v1/url/", body, 90, 60); err != nil {
			b.Fatal(err)
		}
	}
}
