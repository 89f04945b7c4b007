package urlhaus

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "urlhaus"

const maxBody = 4 << 20

// Client queries URLhaus. It is safe for concurrent use.
type Client struct {
	base            string
	key             connector.Secret
	http            *http.Client
	online, offline int
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	hc := deps.Client()
	return &Client{base: strings.TrimRight(cfg.BaseURL, "/"), key: key, http: hc,
		online: cfg.OnlineConfidence, offline: cfg.OfflineConfidence}, nil
}

// Name returns "urlhaus".
func (c *Client) Name() string { return Name }

// Supports reports URLs, hosts (domains and IPs) and payload hashes.
func (c *Client) Supports(t alert.ObservableType) bool {
	switch t {
	case alert.URL, alert.Domain, alert.IPv4, alert.MD5, alert.SHA256:
		return true
	}
	return false
}

// Enrich queries the endpoint for o's type; "no_results" yields no finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if strings.TrimSpace(o.Value) == "" && c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "urlhaus: empty observable")
	}
	var path string
	form := url.Values{}
	switch o.Type {
	case alert.URL:
		path = "/v1/url/"
		form.Set("url", o.Value)
	case alert.Domain, alert.IPv4:
		path = "/v1/host/"
		form.Set("host", o.Value)
	case alert.MD5:
		path = "/v1/payload/"
		form.Set("md5_hash", strings.ToLower(o.Value))
	case alert.SHA256:
		path = "/v1/payload/"
		form.Set("sha256_hash", strings.ToLower(o.Value))
	default:
		return nil, connector.Errorf(connector.Permanent, "urlhaus: unsupported observable type %s", o.Type)
	}
	body, err := c.post(ctx, path, form)
	if err != nil {
		return nil, err
	}
	return parse(path, body, c.online, c.offline)
}

func (c *Client) post(ctx context.Context, path string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "urlhaus: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Auth-Key", c.key.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("urlhaus: query %s: %w", path, ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "urlhaus: query %s: %s", path, c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "urlhaus: read response: %s", c.key.Redact(err.Error()))
	}
	if err := connector.StatusError("urlhaus", resp, string(body), c.key); err != nil {
		return nil, err
	}
	return body, nil
}

// urlEntry is a listed URL, in the url and host answers.
type urlEntry struct {
	ID         string   `json:"id"`
	URL        string   `json:"url"`
	URLStatus  string   `json:"url_status"`
	DateAdded  string   `json:"date_added"`
	LastOnline *string  `json:"last_online"`
	Threat     string   `json:"threat"`
	Tags       []string `json:"tags"`
	Payloads   []struct {
		FirstSeen string `json:"firstseen"`
		Signature string `json:"signature"`
	} `json:"payloads"`
}

// answer holds the fields of the documented url, host and payload answers.
type answer struct {
	QueryStatus string `json:"query_status"`
	urlEntry
	Host      string     `json:"host"`
	FirstSeen string     `json:"firstseen"`
	LastSeen  *string    `json:"lastseen"`
	URLCount  string     `json:"url_count"`
	URLs      []urlEntry `json:"urls"`
	Signature string     `json:"signature"`
	FileType  string     `json:"file_type"`
}

// parse turns an answer from the endpoint at path into findings.
func parse(path string, body []byte, online, offline int) ([]alert.Finding, error) {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, connector.Errorf(connector.Permanent, "urlhaus: decode response: %w", err)
	}
	switch a.QueryStatus {
	case "ok":
	case "no_results":
		return nil, nil
	case "unknown_auth_key":
		return nil, connector.Errorf(connector.Unauthorized, "urlhaus: query_status %s", a.QueryStatus)
	case "":
		return nil, connector.Errorf(connector.Permanent, "urlhaus: response has no query_status")
	default:
		return nil, connector.Errorf(connector.Permanent, "urlhaus: query_status %s", a.QueryStatus)
	}
	f := alert.Finding{Source: Name, Reputation: alert.Malicious, Confidence: offline, Raw: json.RawMessage(body)}
	switch path {
	case "/v1/url/":
		if a.URLStatus != "offline" {
			f.Confidence = online
		}
		f.Categories = labels(a.Threat, a.Tags)
		for _, p := range a.Payloads {
			if p.Signature != "" {
				f.Family = p.Signature
				break
			}
		}
		f.FirstSeen = timestamp(a.DateAdded)
		if a.LastOnline != nil {
			f.LastSeen = timestamp(*a.LastOnline)
		}
		f.Detail = fmt.Sprintf("URLhaus lists the URL (%s, %s)", a.Threat, a.URLStatus)
	case "/v1/host/":
		onlineCount := 0
		var threats []string
		var tags []string
		for _, u := range a.URLs {
			if u.URLStatus == "online" {
				onlineCount++
			}
			threats = append(threats, u.Threat)
			tags = append(tags, u.Tags...)
		}
		if onlineCount > 0 {
			f.Confidence = online
		}
		f.Categories = labels("", append(threats, tags...))
		f.FirstSeen = timestamp(a.FirstSeen)
		f.Detail = fmt.Sprintf("URLhaus lists %s URLs on the host, %d online in this answer", a.URLCount, onlineCount)
	default:
		f.Confidence = online
		f.Family = a.Signature
		f.Categories = labels("malware", nil)
		f.FirstSeen = timestamp(a.FirstSeen)
		if a.LastSeen != nil {
			f.LastSeen = timestamp(*a.LastSeen)
		}
		f.Detail = fmt.Sprintf("URLhaus payload (%s) served by %s URLs", a.FileType, a.URLCount)
	}
	return []alert.Finding{f}, nil
}

// labels dedupes the threat and tags into categories, in first-seen order.
func labels(threat string, tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range append([]string{threat}, tags...) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// timestamp parses URLhaus's times ("2006-01-02 15:04:05 UTC", without the
// zone, or a bare date).
func timestamp(s string) *time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05 MST", time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}
