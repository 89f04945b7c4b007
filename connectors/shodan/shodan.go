package shodan

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "shodan"

// maxBody bounds how much of a response is read; banners make host
// records large.
const maxBody = 8 << 20

// maxListed bounds how many ports and vulnerabilities the detail names.
const maxListed = 10

// Client looks hosts up in Shodan. It is safe for concurrent use.
type Client struct {
	base                  *url.URL
	key                   connector.Secret
	http                  *http.Client
	malicious, suspicious map[string]bool
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("shodan base_url: %w", err)
	}
	hc := deps.Client()
	return &Client{base: base, key: key, http: hc, malicious: set(cfg.MaliciousTags), suspicious: set(cfg.SuspiciousTags)}, nil
}

func set(tags []string) map[string]bool {
	m := make(map[string]bool, len(tags))
	for _, t := range tags {
		m[strings.ToLower(t)] = true
	}
	return m
}

// Name returns "shodan".
func (c *Client) Name() string { return Name }

// Supports reports IPv4 and IPv6 addresses.
func (c *Client) Supports(t alert.ObservableType) bool { return t == alert.IPv4 || t == alert.IPv6 }

// Enrich looks one host up; one Shodan has no information on yields no
// finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "shodan: unsupported observable type %s", o.Type)
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(o.Value))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "shodan: %q is not an IP address", o.Value)
	}
	u := *c.base
	u.Path += "/shodan/host/" + ip.String()
	u.RawQuery = url.Values{"key": {c.key.Reveal()}}.Encode()
	body, err := c.get(ctx, u.String())
	if err != nil || body == nil {
		return nil, err
	}
	f, err := c.parse(body)
	if err != nil {
		return nil, err
	}
	return []alert.Finding{f}, nil
}

// get performs the GET; a 404 is "no information": a nil body and no
// error. The URL holds the key, so nothing here may echo it unredacted.
func (c *Client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "shodan: build request: %s", c.key.Redact(err.Error()))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("shodan: host lookup: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "shodan: host lookup: %s", c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("shodan: read response: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "shodan: read response: %s", c.key.Redact(err.Error()))
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, statusError(resp, body, c.key)
}

// statusError classifies a non-200 answer by status, quoting Shodan's
// {"error": "..."} body; a 404 is no error (nil).
func statusError(resp *http.Response, body []byte, key connector.Secret) error {
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e) // Shodan answers some refusals with HTML; the status still classifies them
	return connector.StatusError("shodan", resp, e.Error, key)
}

// host is the part of a /shodan/host answer the finding is built from.
type host struct {
	IPStr      string   `json:"ip_str"`
	Org        string   `json:"org"`
	ISP        string   `json:"isp"`
	ASN        string   `json:"asn"`
	Country    string   `json:"country_code"`
	Hostnames  []string `json:"hostnames"`
	Ports      []int    `json:"ports"`
	Vulns      []string `json:"vulns"`
	Tags       []string `json:"tags"`
	LastUpdate string   `json:"last_update"`
}

// lastUpdateLayout is Shodan's timestamp: UTC without a zone.
const lastUpdateLayout = "2006-01-02T15:04:05.999999"

// parse maps a host record to a finding.
func (c *Client) parse(body []byte) (alert.Finding, error) {
	var h host
	if err := json.Unmarshal(body, &h); err != nil {
		return alert.Finding{}, connector.Errorf(connector.Permanent, "shodan: decode response: %w", err)
	}
	if h.IPStr == "" {
		return alert.Finding{}, connector.Errorf(connector.Permanent, "shodan: decode response: no ip_str in host record")
	}
	f := alert.Finding{Source: Name, Reputation: alert.Context, Raw: json.RawMessage(body)}
	var threat []string
	for _, t := range h.Tags {
		t = strings.ToLower(t)
		f.Categories = append(f.Categories, t)
		switch {
		case c.malicious[t]:
			f.Reputation, f.Confidence = alert.Malicious, 70
			threat = append(threat, t)
		case c.suspicious[t] && f.Reputation != alert.Malicious:
			f.Reputation, f.Confidence = alert.Suspicious, 40
			threat = append(threat, t)
		}
	}
	if h.ASN != "" {
		f.Categories = append(f.Categories, "asn:"+h.ASN)
	}
	for _, n := range h.Hostnames {
		f.Categories = append(f.Categories, "hostname:"+strings.ToLower(n))
	}
	slices.Sort(f.Categories)
	f.Categories = slices.Compact(f.Categories)
	slices.Sort(h.Ports)
	slices.Sort(h.Vulns)
	var b strings.Builder
	fmt.Fprintf(&b, "Shodan: %s (%s, %s)", orNone(h.Org), orNone(h.ASN), orNone(h.Country))
	if len(threat) > 0 {
		fmt.Fprintf(&b, "; tagged %s", strings.Join(threat, ", "))
	}
	fmt.Fprintf(&b, "; %d open ports%s", len(h.Ports), listed(h.Ports))
	if len(h.Vulns) > 0 {
		fmt.Fprintf(&b, "; %d vulnerabilities%s", len(h.Vulns), listed(h.Vulns))
	}
	f.Detail = b.String()
	if t, err := time.Parse(lastUpdateLayout, h.LastUpdate); err == nil {
		seen, asOf := t, t
		f.LastSeen, f.AsOf = &seen, &asOf
	}
	return f, nil
}

// listed names up to maxListed items, in parentheses.
func listed[T any](items []T) string {
	if len(items) == 0 {
		return ""
	}
	parts := make([]string, 0, min(len(items), maxListed)+1)
	for i, it := range items {
		if i == maxListed {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprint(it))
	}
	return " (" + strings.Join(parts, " ") + ")"
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
