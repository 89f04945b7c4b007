package threatfox

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

const testKey = "tf-test-key-0123456789"

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

// replay serves recorded answers keyed by the search term or hash, checking
// the documented request shape on the way.
func replay(t *testing.T, routes map[string]reply) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var q map[string]string
		if r.Method != http.MethodPost || r.Header.Get("Auth-Key") != testKey || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s with Auth-Key %t, Content-Type %q", r.Method, r.Header.Get("Auth-Key") == testKey, r.Header.Get("Content-Type"))
		}
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			t.Errorf("request body: %v", err)
		}
		term := q["search_term"]
		if q["query"] == "search_hash" {
			term = q["hash"]
		} else if q["query"] != "search_ioc" {
			t.Errorf("query %q", q["query"])
		}
		rp, ok := routes[term]
		if !ok {
			t.Errorf("unexpected search %v", q)
			rp = reply{200, "no_result.json", nil}
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
	cfg := &Config{BaseURL: base + "/api/v1/", APIKey: connector.SecretRef{Env: "TF_KEY"}}
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
	const sha = "b325c92fa540edeb89b95dbfd4400c1cb33599c66859a87aead820e568a2ebe7"
	type want struct {
		rep    alert.Reputation
		conf   int
		family string
		cats   string
		last   bool
	}
	for _, c := range []struct {
		name      string
		obs       alert.Observable
		routes    map[string]reply
		want      []want
		wantKind  connector.Kind
		wantErr   string
		wantRetry time.Duration
	}{
		{name: "ip matches its ip:port records", obs: alert.Observable{Type: alert.IPv4, Value: "139.180.203.104"},
			routes: map[string]reply{"139.180.203.104": {200, "search_ioc_ip.json", nil}},
			want: []want{
				{alert.Malicious, 75, "Cobalt Strike", "botnet_cc,c2,CobaltStrike", true},
				{alert.Suspicious, 25, "Cobalt Strike", "botnet_cc", false},
			}},
		{name: "domain ignores substring matches", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes: map[string]reply{"gaga.com": {200, "search_ioc_domain.json", nil}},
			want:   []want{{alert.Malicious, 50, "Dridex", "botnet_cc,exe,test", false}}},
		{name: "hash", obs: alert.Observable{Type: alert.SHA256, Value: strings.ToUpper(sha)},
			routes: map[string]reply{sha: {200, "search_hash.json", nil}},
			want:   []want{{alert.Malicious, 75, "Cobalt Strike", "botnet_cc,c2", false}}},
		{name: "no result", obs: alert.Observable{Type: alert.Domain, Value: "example.org"},
			routes: map[string]reply{"example.org": {200, "no_result.json", nil}}},
		{name: "illegal search term", obs: alert.Observable{Type: alert.URL, Value: "x"},
			routes:   map[string]reply{"x": {200, "illegal_search_term.json", nil}},
			wantKind: connector.Permanent, wantErr: "illegal_search_term"},
		{name: "unauthorized", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes:   map[string]reply{"gaga.com": {401, "unknown_auth_key.json", nil}},
			wantKind: connector.Unauthorized, wantErr: "http 401"},
		{name: "unknown auth key in a 200", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes:   map[string]reply{"gaga.com": {200, "unknown_auth_key.json", nil}},
			wantKind: connector.Unauthorized, wantErr: "unknown_auth_key"},
		{name: "rate limited", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes:   map[string]reply{"gaga.com": {429, "", map[string]string{"Retry-After": "30"}}},
			wantKind: connector.RateLimited, wantErr: "http 429", wantRetry: 30 * time.Second},
		{name: "server error", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes:   map[string]reply{"gaga.com": {502, "", nil}},
			wantKind: connector.Retryable, wantErr: "http 502"},
		{name: "garbage", obs: alert.Observable{Type: alert.Domain, Value: "gaga.com"},
			routes:   map[string]reply{"gaga.com": {200, "SOURCE.md", nil}},
			wantKind: connector.Permanent, wantErr: "decode response"},
		{name: "unsupported type", obs: alert.Observable{Type: alert.EmailAd, Value: "a@b.c"},
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
			if len(got) != len(c.want) {
				t.Fatalf("findings = %+v, want %d", got, len(c.want))
			}
			if len(got) > 0 {
				conformance.Golden(t, got)
			}
			for i, w := range c.want {
				f := got[i]
				if f.Source != Name || f.Reputation != w.rep || f.Confidence != w.conf || f.Family != w.family ||
					strings.Join(f.Categories, ",") != w.cats || (f.LastSeen != nil) != w.last || f.FirstSeen == nil || !json.Valid(f.Raw) {
					t.Errorf("finding %d = %+v, want %+v", i, f, w)
				}
			}
		})
	}
}

func TestTimestamp(t *testing.T) {
	got := timestamp("2020-12-08 13:36:27 UTC")
	if got == nil || !got.Equal(time.Date(2020, 12, 8, 13, 36, 27, 0, time.UTC)) {
		t.Errorf("timestamp = %v", got)
	}
	if timestamp("") != nil || timestamp("yesterday") != nil {
		t.Error("unparsable time accepted")
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct{ name, raw, wantErr string }{
		{"key set", `{"api_key":{"env":"X"}}`, ""},
		{"key missing", `{}`, "api_key: required"},
		{"every problem", `{"base_url":"x","malicious_confidence":101,"max_records":-1}`, "max_records"},
		{"unknown field", `{"api_key":{"env":"X"},"key":"v"}`, "unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := connector.DecodeConfig[Config](json.RawMessage(c.raw))
			if c.wantErr == "" {
				if err != nil || cfg.BaseURL != DefaultBaseURL || cfg.MaliciousConfidence != 50 {
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
		t.Error("threatfox is not registered")
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range []string{"search_ioc_ip.json", "search_ioc_domain.json", "search_hash.json", "no_result.json", "illegal_search_term.json", "SOURCE.md"} {
		f.Add(readTestdata(f, n), "139.180.203.104")
	}
	f.Fuzz(func(t *testing.T, body []byte, v string) {
		fs, err := parse(body, alert.Observable{Type: alert.IPv4, Value: v}, 50, 10)
		if err != nil && connector.KindOf(err) == connector.Retryable {
			t.Fatalf("parse error is retryable: %v", err)
		}
		if len(fs) > 10 {
			t.Fatalf("%d findings past the limit", len(fs))
		}
		for _, fd := range fs {
			if fd.Confidence < 0 || fd.Confidence > 100 {
				t.Fatalf("confidence %d", fd.Confidence)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	body := readTestdata(b, "search_ioc_ip.json")
	o := alert.Observable{Type: alert.IPv4, Value: "139.180.203.104"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(body, o, 50, 10); err != nil {
			b.Fatal(err)
		}
	}
}
