package misp

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

const testKey = "misp-test-key-0f9e8d7c6b5a"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata %s: %v", name, err)
	}
	return b
}

// reply is what the replay server answers for one looked-up value.
type reply struct {
	status int
	header map[string]string
	file   string
	body   string
}

// replay serves MISP's restSearch for the values in replies, checking the
// request the way MISP reads it: POST, JSON body, key in Authorization.
func replay(t *testing.T, replies map[string]reply, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/attributes/restSearch" {
			http.Error(w, `{"name":"Not Found","message":"Not Found","url":"`+r.URL.Path+`"}`, http.StatusNotFound)
			t.Errorf("request %s %s", r.Method, r.URL.Path)
			return
		}
		if r.Header.Get("Authorization") != testKey || r.Header.Get("Accept") != "application/json" ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers: accept %q content-type %q key ok %v", r.Header.Get("Accept"),
				r.Header.Get("Content-Type"), r.Header.Get("Authorization") == testKey)
		}
		var req searchRequest
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			t.Errorf("decode request: %v", err)
		}
		if req.ReturnFormat != "json" || !req.IncludeSightings || !req.IncludeEventTags || req.Limit != DefaultLimit {
			t.Errorf("request body %+v", req)
		}
		rp, ok := replies[req.Value]
		if !ok {
			rp = reply{file: "empty.json"}
		}
		for k, v := range rp.header {
			w.Header().Set(k, v)
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
	c, err := New(&Config{BaseURL: base + "/", Limit: DefaultLimit}, connector.NewSecret(testKey), connector.Deps{HTTP: &http.Client{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestEnrich(t *testing.T) {
	replies := map[string]reply{
		"192.0.2.44":                 {file: "hit.json"},
		"cdn.vendor-updates.example": {file: "false_positive.json"},
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08": {file: "context.json"},
		"198.51.100.9":    {status: 404, file: "not_found.json"},
		"198.51.100.10":   {status: 403, file: "forbidden.json"},
		"198.51.100.11":   {status: 429, header: map[string]string{"Retry-After": "30"}, body: `{"name":"Too Many Requests","message":"Rate limit exceeded.","url":"\/attributes\/restSearch"}`},
		"198.51.100.12":   {status: 503, body: `{"message":"upstream down, key ` + testKey + `"}`},
		"198.51.100.13":   {file: "garbage.txt"},
		"198.51.100.14":   {status: 400, body: `{"name":"Invalid parameter","message":"Invalid parameter","url":"\/attributes\/restSearch"}`},
		"198.51.100.15":   {body: `{"Attribute": []}`},
		"198.51.100.16":   {status: 401, body: "Unauthorized"},
		"www.example.org": {file: "empty.json"},
	}
	var calls atomic.Int32
	c := newClient(t, replay(t, replies, &calls).URL)
	for _, tc := range []struct {
		name      string
		obs       alert.Observable
		wantRep   alert.Reputation
		wantCats  []string
		wantNone  bool
		wantKind  connector.Kind
		wantErr   string
		wantRetry time.Duration
		noRequest bool
	}{
		{name: "hit", obs: alert.Observable{Type: alert.IPv4, Value: "192.0.2.44"}, wantRep: alert.Malicious,
			wantCats: []string{"network_activity", "phishing", "tlp:amber"}},
		{name: "false positive majority", obs: alert.Observable{Type: alert.Domain, Value: "cdn.vendor-updates.example"},
			wantRep: alert.Benign, wantCats: []string{"false_positive", "network_activity", "tlp:green"}},
		{name: "context only", obs: alert.Observable{Type: alert.SHA256, Value: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
			wantRep: alert.Context, wantCats: []string{"external_analysis", "tlp:clear"}},
		{name: "empty result", obs: alert.Observable{Type: alert.Domain, Value: "www.example.org"}, wantNone: true},
		{name: "404 nothing found", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.9"}, wantNone: true},
		{name: "403 key refused", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.10"},
			wantKind: connector.Unauthorized, wantErr: "Authentication failed"},
		{name: "401", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.16"}, wantKind: connector.Unauthorized, wantErr: "401"},
		{name: "429 retry after", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.11"},
			wantKind: connector.RateLimited, wantErr: "Rate limit exceeded", wantRetry: 30 * time.Second},
		{name: "503", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.12"}, wantKind: connector.Retryable, wantErr: "http 503"},
		{name: "garbage", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.13"}, wantKind: connector.Permanent, wantErr: "decode attribute search"},
		{name: "wrong shape", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.15"}, wantKind: connector.Permanent, wantErr: ErrShape.Error()},
		{name: "400", obs: alert.Observable{Type: alert.IPv4, Value: "198.51.100.14"}, wantKind: connector.Permanent, wantErr: "http 400"},
		{name: "unsupported type", obs: alert.Observable{Type: alert.UserID, Value: "alice"}, wantKind: connector.Permanent,
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
					t.Errorf("key in error: %v", err)
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
			f := got[0]
			if f.Source != Name || f.Reputation != tc.wantRep || strings.Join(f.Categories, ",") != strings.Join(tc.wantCats, ",") {
				t.Errorf("finding %s %s %v, want %s %v", f.Source, f.Reputation, f.Categories, tc.wantRep, tc.wantCats)
			}
			if len(f.Raw) == 0 || !json.Valid(f.Raw) {
				t.Error("raw payload not kept")
			}
		})
	}
}

// TestHitGolden pins the whole finding for the recorded hit.
func TestHitGolden(t *testing.T) {
	attrs, err := Decode(readTestdata(t, "hit.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, ok := Summarize(attrs)
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
	want := readTestdata(t, "hit.golden.json")
	if !bytes.Equal(got, want) {
		t.Errorf("finding drifted from %s (UPDATE_GOLDEN=1 to refresh):\n%s", golden, got)
	}
}

func TestSummarize(t *testing.T) {
	flag := func(toIDs bool, sightings ...string) Attribute {
		a := Attribute{EventID: "1", Category: "Network activity", ToIDs: toIDs, Timestamp: 1700000000}
		for _, s := range sightings {
			a.Sighting = append(a.Sighting, Sighting{Type: s, DateSighting: 1700000100})
		}
		return a
	}
	for _, tc := range []struct {
		name    string
		attrs   []Attribute
		want    alert.Reputation
		minConf int
		maxConf int
	}{
		{"flagged, no sightings", []Attribute{flag(true)}, alert.Malicious, 70, 70},
		{"flagged, tie stays malicious", []Attribute{flag(true, "0", "1")}, alert.Malicious, 50, 70},
		{"flagged, fp majority", []Attribute{flag(true, "0", "1", "1")}, alert.Benign, 50, 90},
		{"one good attribute outweighs a voted-down one", []Attribute{flag(true, "1"), flag(true, "0")}, alert.Malicious, 50, 95},
		{"expiration sightings do not vote", []Attribute{flag(true, "2", "2")}, alert.Malicious, 70, 70},
		{"unflagged", []Attribute{flag(false, "0")}, alert.Context, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Summarize(tc.attrs)
			if !ok || f.Reputation != tc.want || f.Confidence < tc.minConf || f.Confidence > tc.maxConf {
				t.Errorf("got %v %s confidence %d, want %s in %d-%d", ok, f.Reputation, f.Confidence, tc.want, tc.minConf, tc.maxConf)
			}
		})
	}
	if _, ok := Summarize(nil); ok {
		t.Error("finding from no attributes")
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
	b.ReportAllocs()
	for b.Loop() {
		attrs, err := Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := Summarize(attrs); !ok {
			b.Fatal("no finding")
		}
	}
}
