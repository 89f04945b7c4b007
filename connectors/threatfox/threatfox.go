package threatfox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "threatfox"

const maxBody = 4 << 20

// Client searches ThreatFox. It is safe for concurrent use.
type Client struct {
	endpoint  string
	key       connector.Secret
	http      *http.Client
	malicious int
	max       int
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	hc := deps.Client()
	return &Client{endpoint: cfg.BaseURL, key: key, http: hc, malicious: cfg.MaliciousConfidence, max: cfg.MaxRecords}, nil
}

// Name returns "threatfox".
func (c *Client) Name() string { return Name }

// Supports reports the IOC types ThreatFox indexes.
func (c *Client) Supports(t alert.ObservableType) bool {
	switch t {
	case alert.IPv4, alert.Domain, alert.URL, alert.MD5, alert.SHA256:
		return true
	}
	return false
}

// Enrich searches one observable; "no_result" yields no finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "threatfox: unsupported observable type %s", o.Type)
	}
	if strings.TrimSpace(o.Value) == "" {
		return nil, connector.Errorf(connector.Permanent, "threatfox: empty observable")
	}
	q := map[string]string{"query": "search_ioc", "search_term": o.Value}
	if o.Type == alert.MD5 || o.Type == alert.SHA256 {
		q = map[string]string{"query": "search_hash", "hash": strings.ToLower(o.Value)}
	}
	body, err := c.post(ctx, q)
	if err != nil {
		return nil, err
	}
	return parse(body, o, c.malicious, c.max)
}

func (c *Client) post(ctx context.Context, q map[string]string) ([]byte, error) {
	payload, err := json.Marshal(q)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "threatfox: encode query: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(payload))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "threatfox: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Auth-Key", c.key.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("threatfox: search: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "threatfox: search: %s", c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "threatfox: read response: %s", c.key.Redact(err.Error()))
	}
	if err := connector.StatusError("threatfox", resp, string(body), c.key); err != nil {
		return nil, err
	}
	return body, nil
}

// response is the documented search answer; Data is a list of IOC records
// when query_status is "ok" and a message string otherwise.
type response struct {
	QueryStatus string          `json:"query_status"`
	Data        json.RawMessage `json:"data"`
}

type record struct {
	ID               string   `json:"id"`
	IOC              string   `json:"ioc"`
	ThreatType       string   `json:"threat_type"`
	ThreatTypeDesc   string   `json:"threat_type_desc"`
	IOCType          string   `json:"ioc_type"`
	Malware          string   `json:"malware"`
	MalwarePrintable string   `json:"malware_printable"`
	ConfidenceLevel  int      `json:"confidence_level"`
	FirstSeen        string   `json:"first_seen"`
	LastSeen         *string  `json:"last_seen"`
	Reporter         string   `json:"reporter"`
	Tags             []string `json:"tags"`
}

// parse turns a search answer into findings for o.
func parse(body []byte, o alert.Observable, malicious, limit int) ([]alert.Finding, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, connector.Errorf(connector.Permanent, "threatfox: decode response: %w", err)
	}
	switch r.QueryStatus {
	case "ok":
	case "no_result":
		return nil, nil
	case "unknown_auth_key":
		return nil, connector.Errorf(connector.Unauthorized, "threatfox: query_status %s", r.QueryStatus)
	case "":
		return nil, connector.Errorf(connector.Permanent, "threatfox: response has no query_status")
	default:
		return nil, connector.Errorf(connector.Permanent, "threatfox: query_status %s", r.QueryStatus)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(r.Data, &raws); err != nil {
		return nil, connector.Errorf(connector.Permanent, "threatfox: decode ioc records: %w", err)
	}
	var out []alert.Finding
	for _, raw := range raws {
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, connector.Errorf(connector.Permanent, "threatfox: decode ioc record: %w", err)
		}
		if !matches(rec, o) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		f := alert.Finding{
			Source:     Name,
			Reputation: alert.Malicious,
			Confidence: min(max0(rec.ConfidenceLevel), 100),
			Family:     rec.MalwarePrintable,
			FirstSeen:  timestamp(rec.FirstSeen),
		}
		if rec.ConfidenceLevel < malicious {
			f.Reputation = alert.Suspicious
		}
		if rec.LastSeen != nil {
			f.LastSeen = timestamp(*rec.LastSeen)
		}
		if rec.ThreatType != "" {
			f.Categories = append(f.Categories, rec.ThreatType)
		}
		f.Categories = append(f.Categories, rec.Tags...)
		f.Detail = fmt.Sprintf("ThreatFox IOC %s (%s): %s", rec.ID, rec.IOC, rec.ThreatTypeDesc)
		f.Raw = raw
		out = append(out, f)
	}
	return out, nil
}

// matches keeps records about o itself: search_ioc matches substrings, so
// "evil.com" would also find "notevil.com"; IP records are "ip:port".
func matches(rec record, o alert.Observable) bool {
	switch o.Type {
	case alert.MD5, alert.SHA256:
		return true // search_hash matches the hash exactly
	case alert.IPv4:
		return rec.IOC == o.Value || strings.HasPrefix(rec.IOC, o.Value+":")
	case alert.Domain:
		return strings.EqualFold(rec.IOC, o.Value)
	}
	return rec.IOC == o.Value
}

func max0(n int) int { return max(n, 0) }

// timestamp parses ThreatFox's "2006-01-02 15:04:05 UTC" times.
func timestamp(s string) *time.Time {
	t, err := time.Parse("2006-01-02 15:04:05 MST", s)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}
