package greynoise

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "greynoise"

// maxBody bounds how much of a response is read.
const maxBody = 1 << 20

// Client looks IP addresses up in GreyNoise. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	edition string
	key     connector.Secret
	http    *http.Client
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key
// (zero for anonymous community lookups).
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("greynoise base_url: %w", err)
	}
	hc := deps.Client()
	return &Client{base: base, edition: cfg.Edition, key: key, http: hc}, nil
}

// Name returns "greynoise".
func (c *Client) Name() string { return Name }

// Supports reports IPv4 addresses, the only type GreyNoise answers for.
func (c *Client) Supports(t alert.ObservableType) bool { return t == alert.IPv4 }

// Enrich looks one IP up; an IP GreyNoise has never seen yields no finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "greynoise: unsupported observable type %s", o.Type)
	}
	ip, err := netip.ParseAddr(o.Value)
	if err != nil || !ip.Is4() {
		return nil, connector.Errorf(connector.Permanent, "greynoise: %q is not an IPv4 address", o.Value)
	}
	if c.edition == Enterprise {
		ctxBody, err := c.get(ctx, "/v2/noise/context/"+ip.String())
		if err != nil {
			return nil, err
		}
		riotBody, err := c.get(ctx, "/v2/riot/"+ip.String())
		if err != nil {
			return nil, err
		}
		return parseEnterprise(ctxBody, riotBody)
	}
	body, err := c.get(ctx, "/v3/community/"+ip.String())
	if err != nil {
		return nil, err
	}
	return parseCommunity(body)
}

// get performs one GET below the base URL. A 404 is "not seen": a nil body
// and no error.
func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "greynoise: build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if !c.key.IsZero() {
		req.Header.Set("key", c.key.Reveal())
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("greynoise: lookup: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "greynoise: lookup: %s", c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "greynoise: read response: %s", c.key.Redact(err.Error()))
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err := connector.StatusError("greynoise", resp, snippet(body), c.key); err != nil {
		return nil, err
	}
	return body, nil
}

// snippet is the start of a response body for an error message; GreyNoise
// errors carry a JSON "message".
func snippet(body []byte) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message != "" {
		return m.Message
	}
	return string(body) // connector.StatusError trims and cuts it
}

// community is the documented Community API response.
type community struct {
	IP             string `json:"ip"`
	Noise          bool   `json:"noise"`
	RIOT           bool   `json:"riot"`
	Classification string `json:"classification"`
	Name           string `json:"name"`
	Link           string `json:"link"`
	LastSeen       string `json:"last_seen"`
	Message        string `json:"message"`
}

// parseCommunity turns a Community API answer into findings; nil body (404)
// means not seen.
func parseCommunity(body []byte) ([]alert.Finding, error) {
	if body == nil {
		return nil, nil
	}
	var r community
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, connector.Errorf(connector.Permanent, "greynoise: decode community response: %w", err)
	}
	if r.IP == "" {
		return nil, connector.Errorf(connector.Permanent, "greynoise: community response names no ip")
	}
	f, ok := verdict(r.Noise, r.RIOT, r.Classification, r.Name)
	if !ok {
		return nil, nil
	}
	if r.Link != "" {
		f.Detail += " (" + r.Link + ")"
	}
	f.LastSeen = date(r.LastSeen)
	f.Raw = json.RawMessage(body)
	return []alert.Finding{f}, nil
}

// noiseContext and riot are the documented enterprise responses.
type noiseContext struct {
	IP             string   `json:"ip"`
	Seen           bool     `json:"seen"`
	Classification string   `json:"classification"`
	FirstSeen      string   `json:"first_seen"`
	LastSeen       string   `json:"last_seen"`
	Actor          string   `json:"actor"`
	Tags           []string `json:"tags"`
}

type riot struct {
	IP          string `json:"ip"`
	RIOT        bool   `json:"riot"`
	Category    string `json:"category"`
	Name        string `json:"name"`
	TrustLevel  string `json:"trust_level"`
	LastUpdated string `json:"last_updated"`
}

// parseEnterprise merges the noise context and RIOT answers into one finding.
func parseEnterprise(ctxBody, riotBody []byte) ([]alert.Finding, error) {
	var nc noiseContext
	var rt riot
	if ctxBody != nil {
		if err := json.Unmarshal(ctxBody, &nc); err != nil {
			return nil, connector.Errorf(connector.Permanent, "greynoise: decode noise context: %w", err)
		}
	}
	if riotBody != nil {
		if err := json.Unmarshal(riotBody, &rt); err != nil {
			return nil, connector.Errorf(connector.Permanent, "greynoise: decode riot response: %w", err)
		}
	}
	if (ctxBody != nil && nc.IP == "") || (riotBody != nil && rt.IP == "") {
		return nil, connector.Errorf(connector.Permanent, "greynoise: enterprise response names no ip")
	}
	name := rt.Name
	if name == "" && nc.Actor != "unknown" {
		name = nc.Actor
	}
	f, ok := verdict(nc.Seen, rt.RIOT, nc.Classification, name)
	if !ok {
		return nil, nil
	}
	if rt.RIOT && rt.TrustLevel == "2" {
		f.Confidence = 60
	}
	if rt.RIOT && rt.Category != "" {
		f.Categories = append(f.Categories, rt.Category)
	}
	f.Categories = append(f.Categories, nc.Tags...)
	f.FirstSeen, f.LastSeen = date(nc.FirstSeen), date(nc.LastSeen)
	f.AsOf = date(rt.LastUpdated)
	raw, err := json.Marshal(struct {
		Context json.RawMessage `json:"context,omitempty"`
		RIOT    json.RawMessage `json:"riot,omitempty"`
	}{json.RawMessage(ctxBody), json.RawMessage(riotBody)})
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "greynoise: keep raw response: %w", err)
	}
	f.Raw = raw
	return []alert.Finding{f}, nil
}

// verdict derives the reputation: RIOT is a known business service
// (benign), classification malicious is malicious, noise otherwise is a
// suspicious scanner. It reports false when GreyNoise knows nothing.
func verdict(noise, isRIOT bool, classification, name string) (alert.Finding, bool) {
	f := alert.Finding{Source: Name}
	switch {
	case classification == "malicious":
		f.Reputation, f.Confidence = alert.Malicious, 80
		f.Categories = []string{"scanner"}
		f.Detail = "GreyNoise classifies it malicious"
	case isRIOT:
		f.Reputation, f.Confidence = alert.Benign, 85
		f.Categories = []string{"known_service"}
		f.Detail = "GreyNoise RIOT: known business service"
	case noise && classification == "benign":
		f.Reputation, f.Confidence = alert.Benign, 70
		f.Categories = []string{"scanner"}
		f.Detail = "GreyNoise: benign internet scanner"
	case noise:
		f.Reputation, f.Confidence = alert.Suspicious, 50
		f.Categories = []string{"scanner"}
		f.Detail = "GreyNoise: internet background noise"
	default:
		return f, false
	}
	if name != "" && name != "unknown" {
		f.Detail += ": " + name
	}
	return f, true
}

// date parses GreyNoise's dates (YYYY-MM-DD or RFC 3339); empty or
// unparsable gives nil.
func date(s string) *time.Time {
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}
