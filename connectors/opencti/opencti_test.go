package opencti

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
	"sync/atomic"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

const testKey = "opencti-test-token-3c2b1a09"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata %s: %v", name, err)
	}
	return b
}

type reply struct {
	status int
	header map[string]string
	file   string
	body   string
}

// replay serves OpenCTI's /graphql for the values in replies, checking the
// request as the platform reads it.
func replay(t *testing.T, replies map[string]reply, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+testKey || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers: content-type %q, bearer ok %v", r.Header.Get("Content-Type"), r.Header.Get("Authorization") == "Bearer "+testKey)
		}
		var req graphQLRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			t.Errorf("decode request: %v", err)
		}
		v := req.Variables
		if req.Query != Query || v.First != DefaultFirst || len(v.Observables.Filters) != 1 || len(v.Indicators.Filters) != 2 ||
			v.Indicators.Mode != "or" || v.Indicators.Filters[1].Operator != "contains" {
			t.Errorf("request %+v", req)
			return
		}
		value := v.Observables.Filters[0].Values[0]
		if v.Indicators.Filters[0].Values[0] != value || v.Indicators.Filters[1].Values[0] != value {
			t.Errorf("indicator filters do not carry %q: %+v", value, v.Indicators)
		}
		rp, ok := replies[v.Observables.Filters[0].Key+"="+value]
		if !ok {
			rp = reply{file: "empty.json"}
		}
		for k, hv := range rp.header {
			w.Header().Set(k, hv)
		}
		w.Header().Set("Content-Type", "application/json")
		if rp.status != 0 {
			w.WriteHeader(rp.status)
		}
		if rp.file != "" {
			w.Write(readTestdata(t, rp.file))
		} else {
			w.Write([]byte(rp.body))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, base string) *Client {
	t.Helper()
	cfg := &Config{BaseURL: base}
	cfg.Defaults()
	c, err := New(cfg, connector.NewSecret(testKey), connector.Deps{HTTP: &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestEnrich(t *testing.T) {
	const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	replies := map[string]reply{
		"value=192.0.2.44":            {file: "hit.json"},
		"value=update.vendor.example": {file: "low_score.json"},
		"hashes.SHA-256=" + sha:       {file: "unscored.json"},
		"value=198.51.100.1":          {file: "auth_required.json"},
		"value=198.51.100.2":          {file: "forbidden.json"},
		"value=198.51.100.3":          {status: 401, body: `{"errors":[{"message":"You must be logged in to do this."}]}`},
		"value=198.51.100.4":          {status: 429, header: map[string]string{"Retry-After": "12"}, body: "Too Many Requests"},
		"value=198.51.100.5":          {status: 502, body: "<html>502 Bad Gateway: token " + testKey + "</html>"},
		"value=198.51.100.6":          {file: "garbage.txt"},
		"value=198.51.100.7":          {file: "bad_filter.json"},
		"value=198.51.100.8":          {body: `{"data":{"stixCyberObservables":{"edges":[]}}}`},
		"value=198.51.100.9":          {status: 404, body: "Not Found"},
		"value=198.51.100.10":         {body: `{"errors":[{"message":"database unavailable","extensions":{"code":"DATABASE_ERROR"}}]}`},
	}
	var calls atomic.Int32
	c := newClient(t, replay(t, replies, &calls).URL)
	ip := func(v string) alert.Observable { return alert.Observable{Type: alert.IPv4, Value: v} }
	for _, tc := range []struct {
		name      string
		obs       alert.Observable
		wantRep   alert.Reputation
		wantConf  int
		wantNone  bool
		wantKind  connector.Kind
		wantErr   string
		wantRetry time.Duration
		noRequest bool
	}{
		{name: "hit", obs: ip("192.0.2.44"), wantRep: alert.Malicious, wantConf: 90},
		{name: "low score is benign", obs: alert.Observable{Type: alert.Domain, Value: "update.vendor.example"}, wantRep: alert.Benign, wantConf: 95},
		{name: "unscored file is context", obs: alert.Observable{Type: alert.SHA256, Value: sha}, wantRep: alert.Context},
		{name: "miss", obs: ip("203.0.113.1"), wantNone: true},
		{name: "404", obs: ip("198.51.100.9"), wantNone: true},
		{name: "auth required", obs: ip("198.51.100.1"), wantKind: connector.Unauthorized, wantErr: "You must be logged in"},
		{name: "forbidden", obs: ip("198.51.100.2"), wantKind: connector.Unauthorized, wantErr: "FORBIDDEN_ACCESS"},
		{name: "401", obs: ip("198.51.100.3"), wantKind: connector.Unauthorized, wantErr: "http 401"},
		{name: "429 retry after", obs: ip("198.51.100.4"), wantKind: connector.RateLimited, wantErr: "http 429", wantRetry: 12 * time.Second},
		{name: "502", obs: ip("198.51.100.5"), wantKind: connector.Retryable, wantErr: "http 502"},
		{name: "garbage", obs: ip("198.51.100.6"), wantKind: connector.Permanent, wantErr: "decode graphql answer"},
		{name: "bad filter", obs: ip("198.51.100.7"), wantKind: connector.Permanent, wantErr: "UNSUPPORTED_ERROR"},
		{name: "partial shape", obs: ip("198.51.100.8"), wantKind: connector.Permanent, wantErr: ErrShape.Error()},
		{name: "database error", obs: ip("198.51.100.10"), wantKind: connector.Retryable, wantErr: "database unavailable"},
		{name: "unsupported type", obs: alert.Observable{Type: alert.CVE, Value: "CVE-2024-3400"}, wantKind: connector.Permanent,
			wantErr: "not supported", noRequest: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			got, err := c.Enrich(context.Background(), tc.obs)
			if n := calls.Load() - before; tc.noRequest != (n == 0) {
				t.Errorf("requests made: %d", n)
			}
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, findings %+v", got)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("token in error: %v", err)
				}
				if k := connector.KindOf(err); k != tc.wantKind {
					t.Errorf("kind %s, want %s", k, tc.wantKind)
				}
				var ce *connector.Error
				if errors.As(err, &ce) && ce.RetryAfter != tc.wantRetry {
					t.Errorf("retry after %s, want %s", ce.RetryAfter, tc.wantRetry)
				}
				return
			}
			if err != nil {
				t.Fatalf("Enrich: %v", err)
			}
			if tc.wantNone {
				if len(got) != 0 {
					t.Errorf("findings for a miss: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("findings = %d, want 1", len(got))
			}
			if f := got[0]; f.Source != Name || f.Reputation != tc.wantRep || f.Confidence != tc.wantConf || !json.Valid(f.Raw) {
				t.Errorf("finding %s %s %d (raw %d bytes), want %s %d", f.Source, f.Reputation, f.Confidence, len(f.Raw), tc.wantRep, tc.wantConf)
			}
		})
	}
}

func TestHitGolden(t *testing.T) {
	r, err := Decode(readTestdata(t, "hit.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := Summarize(r, Bands{Malicious: DefaultMaliciousScore, Suspicious: DefaultSuspiciousScore, Benign: DefaultBenignScore})
	if !ok {
		t.Fatal("no finding")
	}
	got, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "hit.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readTestdata(t, "hit.golden.json"); !bytes.Equal(got, want) {
		t.Errorf("finding drifted from %s (UPDATE_GOLDEN=1 to refresh):\n%s", golden, got)
	}
}

func TestSummarize(t *testing.T) {
	score := func(n int) *int { return &n }
	bands := Bands{Malicious: 70, Suspicious: 40, Benign: 10}
	for _, tc := range []struct {
		name     string
		r        Result
		want     alert.Reputation
		wantConf int
		wantOK   bool
	}{
		{"nothing", Result{}, "", 0, false},
		{"only a revoked indicator", Result{Indicators: []Indicator{{Score: score(100), Revoked: true}}}, "", 0, false},
		{"revoked indicator does not raise the score", Result{
			Observables: []Observable{{Score: score(50)}},
			Indicators:  []Indicator{{Score: score(100), Revoked: true}},
		}, alert.Suspicious, 50, true},
		{"highest live score wins", Result{
			Observables: []Observable{{Score: score(20)}},
			Indicators:  []Indicator{{Score: score(75)}, {Score: score(30)}},
		}, alert.Malicious, 75, true},
		{"middle band says nothing", Result{Observables: []Observable{{Score: score(25)}}}, alert.Unknown, 0, true},
		{"benign edge", Result{Observables: []Observable{{Score: score(10)}}}, alert.Benign, 90, true},
		{"suspicious edge", Result{Observables: []Observable{{Score: score(40)}}}, alert.Suspicious, 40, true},
		{"no score is context", Result{Indicators: []Indicator{{Name: "x"}}}, alert.Context, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Summarize(&tc.r, bands)
			if ok != tc.wantOK || f.Reputation != tc.want || f.Confidence != tc.wantConf {
				t.Errorf("got %v %q %d, want %v %q %d", ok, f.Reputation, f.Confidence, tc.wantOK, tc.want, tc.wantConf)
			}
		})
	}
}

func TestContextCancel(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-block:
		}
	}))
	defer srv.Close()
	defer close(block)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Enrich(ctx, alert.Observable{Type: alert.IPv4, Value: "192.0.2.1"})
	if !errors.Is(err, context.DeadlineExceeded) || connector.KindOf(err) != connector.Retryable {
		t.Errorf("err = %v (kind %s), want a retryable deadline error", err, connector.KindOf(err))
	}
}

func BenchmarkDecodeSummarize(b *testing.B) {
	raw := readTestdata(b, "hit.json")
	bands := Bands{Malicious: DefaultMaliciousScore, Suspicious: DefaultSuspiciousScore, Benign: DefaultBenignScore}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := Summarize(r, bands); !ok {
			b.Fatal("no finding")
		}
	}
}
