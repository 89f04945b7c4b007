package abuseipdb

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "abuseipdb"

// maxBody bounds how much of a response is read.
const maxBody = 1 << 20

// Client checks IP addresses in AbuseIPDB. It is safe for concurrent use.
type Client struct {
	base                  *url.URL
	key                   connector.Secret
	http                  *http.Client
	maxAge                int
	malicious, suspicious int
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("abuseipdb base_url: %w", err)
	}
	hc := deps.Client()
	return &Client{base: base, key: key, http: hc, maxAge: cfg.MaxAgeInDays,
		malicious: cfg.MaliciousScore, suspicious: cfg.SuspiciousScore}, nil
}

// Name returns "abuseipdb".
func (c *Client) Name() string { return Name }

// Supports reports IPv4 and IPv6 addresses.
func (c *Client) Supports(t alert.ObservableType) bool { return t == alert.IPv4 || t == alert.IPv6 }

// Enrich checks one address; one nobody reported yields no finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "abuseipdb: unsupported observable type %s", o.Type)
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(o.Value))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "abuseipdb: %q is not an IP address", o.Value)
	}
	u := *c.base
	u.Path += "/api/v2/check"
	u.RawQuery = url.Values{"ipAddress": {ip.String()}, "maxAgeInDays": {strconv.Itoa(c.maxAge)}}.Encode()
	body, err := c.get(ctx, u.String())
	if err != nil || body == nil {
		return nil, err
	}
	return c.parse(body)
}

// get performs the GET; a 404 is "not known": a nil body and no error.
func (c *Client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "abuseipdb: build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Key", c.key.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("abuseipdb: check: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "abuseipdb: check: %s", c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("abuseipdb: read response: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "abuseipdb: read response: %s", c.key.Redact(err.Error()))
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, statusError(resp, body, c.key)
}

// apiErrors is AbuseIPDB's documented error body (JSON:API style).
type apiErrors struct {
	Errors []struct {
		Detail string `json:"detail"`
		Status int    `json:"status"`
	} `json:"errors"`
}

// statusError classifies a non-200 answer by its status, quoting
// AbuseIPDB's error detail; a 404 is no error (nil).
func statusError(resp *http.Response, body []byte, key connector.Secret) error {
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var e apiErrors
	_ = json.Unmarshal(body, &e) // a body that is not the documented error still has a status
	detail := ""
	if len(e.Errors) > 0 {
		detail = e.Errors[0].Detail
	}
	return connector.StatusError("abuseipdb", resp, detail, key)
}

// check is the data object of a /check answer.
type check struct {
	Data *struct {
		IPAddress      string  `json:"ipAddress"`
		IsWhitelisted  *bool   `json:"isWhitelisted"`
		Score          int     `json:"abuseConfidenceScore"`
		CountryCode    string  `json:"countryCode"`
		UsageType      string  `json:"usageType"`
		ISP            string  `json:"isp"`
		Domain         string  `json:"domain"`
		IsTor          bool    `json:"isTor"`
		TotalReports   int     `json:"totalReports"`
		DistinctUsers  int     `json:"numDistinctUsers"`
		LastReportedAt *string `json:"lastReportedAt"`
	} `json:"data"`
}

// parse maps a /check answer to at most one finding.
func (c *Client) parse(body []byte) ([]alert.Finding, error) {
	var v check
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, connector.Errorf(connector.Permanent, "abuseipdb: decode response: %w", err)
	}
	d := v.Data
	if d == nil {
		return nil, connector.Errorf(connector.Permanent, "abuseipdb: decode response: no data object")
	}
	whitelisted := d.IsWhitelisted != nil && *d.IsWhitelisted
	if d.TotalReports == 0 && !whitelisted {
		return nil, nil
	}
	f := alert.Finding{Source: Name, Reputation: alert.Unknown, Confidence: d.Score, Raw: json.RawMessage(body)}
	switch {
	case whitelisted:
		// AbuseIPDB gives whitelisted addresses the benefit of the doubt; the
		// verdict is benign but only moderately sure.
		f.Reputation, f.Confidence = alert.Benign, 50
		f.Categories = append(f.Categories, "whitelisted")
	case d.Score >= c.malicious:
		f.Reputation = alert.Malicious
	case d.Score >= c.suspicious:
		f.Reputation = alert.Suspicious
	}
	if d.IsTor {
		f.Categories = append(f.Categories, "tor_exit")
	}
	f.Detail = fmt.Sprintf("AbuseIPDB: confidence score %d, %d reports from %d users; %s, %s (%s)",
		d.Score, d.TotalReports, d.DistinctUsers, orNone(d.UsageType), orNone(d.ISP), orNone(d.CountryCode))
	if d.LastReportedAt != nil {
		if t, err := time.Parse(time.RFC3339, *d.LastReportedAt); err == nil {
			t = t.UTC()
			f.LastSeen = &t
		}
	}
	return []alert.Finding{f}, nil
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
