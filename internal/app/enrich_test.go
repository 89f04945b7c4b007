package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// lookupConfig is the typed block of the test connector below.
type lookupConfig struct {
	BaseURL string              `json:"base_url"`
	APIKey  connector.SecretRef `json:"api_key"`
}

func (c *lookupConfig) Defaults() {}
func (c *lookupConfig) Validate() error {
	if c.BaseURL == "" {
		return errors.New("base_url: required")
	}
	return nil
}

// lookupClient asks GET {base_url}/ip/{value} with the key in a header.
type lookupClient struct {
	cfg  *lookupConfig
	key  connector.Secret
	http *http.Client
}

func (c *lookupClient) Name() string                         { return "testintel" }
func (c *lookupClient) Supports(t alert.ObservableType) bool { return t == alert.IPv4 }
func (c *lookupClient) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+"/ip/"+url.PathEscape(o.Value), nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "build request: %w", err)
	}
	req.Header.Set("X-Key", c.key.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "lookup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, connector.Errorf(connector.Retryable, "status %d", resp.StatusCode)
	}
	var body struct{ Verdict string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, connector.Errorf(connector.Permanent, "decode: %w", err)
	}
	return []alert.Finding{{Source: "testintel", Reputation: alert.Reputation(body.Verdict), Raw: json.RawMessage(`{}`)}}, nil
}

func init() {
	connector.RegisterEnricher[lookupConfig]("app-test-intel", func(c *lookupConfig, d connector.Deps) (connector.Enricher, error) {
		key, err := c.APIKey.Resolve()
		if err != nil {
			return nil, err
		}
		return &lookupClient{cfg: c, key: key, http: d.HTTP}, nil
	})
}

func TestEnrichCommand(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("X-Key") != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/198.51.100.66") {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"verdict":"malicious"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "winnow.yaml")
	cfg := fmt.Sprintf(`data_dir: %s
default_tenant: a
tenants: [{id: a}]
enrichers:
  - name: ti
    type: app-test-intel
    reliability: B
    rate: 100/s
    daily_quota: 10
    config: {base_url: %q, api_key: {file: %q}}
`, dir, srv.URL, keyFile)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "winnow.db")
	tests := []struct {
		value      string
		reputation alert.Reputation
		note       string
	}{
		{"203.0.113.9", alert.Malicious, ""},
		{"203.0.113.9", alert.Malicious, ""}, // from the cache
		{"198.51.100.66", "", "ti: lookup failed (retryable); evidence missing"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			r := runMain(t, "", "enrich", "--config", cfgPath, "--db", db, "ipv4", tt.value)
			if r.code != ExitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout, "s3cret") {
				t.Fatal("the API key reached the output")
			}
			var out enrichOutput
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
			}
			fs := out.Observable.Findings
			if tt.reputation != "" && (len(fs) != 1 || fs[0].Reputation != tt.reputation || fs[0].Raw != nil) {
				t.Errorf("findings = %+v, want one %s finding without raw", fs, tt.reputation)
			}
			if tt.note != "" && (len(out.Notes) != 1 || out.Notes[0] != tt.note) {
				t.Errorf("notes = %q, want %q", out.Notes, tt.note)
			}
		})
	}
	if calls != 2 {
		t.Errorf("upstream calls = %d, want 2 (the repeat came from the cache)", calls)
	}
	r := runMain(t, "", "intel", "status", "--config", cfgPath, "--db", db)
	if !strings.Contains(r.stdout, "ENRICHER") {
		t.Fatalf("intel status lacks the quota table:\n%s%s", r.stdout, r.stderr)
	}
	row := strings.Fields(lines(r.stdout)[1])
	if want := []string{"ti", "app-test-intel", "100/s", "2/10", "2", "8"}; strings.Join(row, " ") != strings.Join(want, " ") {
		t.Errorf("quota row = %v, want %v", row, want)
	}
	if r := runMain(t, "", "enrich", "ipv4"); r.code != ExitUsage {
		t.Errorf("missing VALUE: exit %d, want %d", r.code, ExitUsage)
	}
}
