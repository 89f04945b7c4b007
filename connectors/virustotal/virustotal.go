package virustotal

import (
	"context"
	"encoding/base64"
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
const Name = "virustotal"

// maxBody bounds how much of a response is read; a file report with every
// engine's result stays well below it.
const maxBody = 4 << 20

// Client looks observables up in VirusTotal. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	key       connector.Secret
	http      *http.Client
	threshold int
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration and a resolved key.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("virustotal base_url: %w", err)
	}
	hc := deps.Client()
	return &Client{base: base, key: key, http: hc, threshold: max(cfg.MaliciousThreshold, 1)}, nil
}

// Name returns "virustotal".
func (c *Client) Name() string { return Name }

// Supports reports IPs, domains, URLs and MD5, SHA-1 and SHA-256 hashes.
func (c *Client) Supports(t alert.ObservableType) bool {
	switch t {
	case alert.IPv4, alert.IPv6, alert.Domain, alert.URL, alert.MD5, alert.SHA1, alert.SHA256:
		return true
	}
	return false
}

// Enrich looks one observable up; one VirusTotal does not know yields no
// finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	path, err := objectPath(o)
	if err != nil {
		return nil, err
	}
	body, err := c.get(ctx, path)
	if err != nil || body == nil {
		return nil, err
	}
	f, err := parse(body, c.threshold)
	if err != nil {
		return nil, err
	}
	return []alert.Finding{f}, nil
}

// objectPath is the API v3 path of the object that describes o; URL
// identifiers are the unpadded base64url of the URL.
func objectPath(o alert.Observable) (string, error) {
	v := strings.TrimSpace(o.Value)
	switch o.Type {
	case alert.IPv4, alert.IPv6:
		ip, err := netip.ParseAddr(v)
		if err != nil {
			return "", connector.Errorf(connector.Permanent, "virustotal: %q is not an IP address", o.Value)
		}
		return "/api/v3/ip_addresses/" + ip.String(), nil
	case alert.Domain:
		if v == "" || strings.ContainsAny(v, "/?# ") {
			return "", connector.Errorf(connector.Permanent, "virustotal: %q is not a domain", o.Value)
		}
		return "/api/v3/domains/" + url.PathEscape(strings.ToLower(v)), nil
	case alert.URL:
		if v == "" {
			return "", connector.Errorf(connector.Permanent, "virustotal: empty URL")
		}
		return "/api/v3/urls/" + base64.RawURLEncoding.EncodeToString([]byte(v)), nil
	case alert.MD5, alert.SHA1, alert.SHA256:
		want := map[alert.ObservableType]int{alert.MD5: 32, alert.SHA1: 40, alert.SHA256: 64}[o.Type]
		if len(v) != want || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
			return "", connector.Errorf(connector.Permanent, "virustotal: %q is not a %s hash", o.Value, o.Type)
		}
		return "/api/v3/files/" + strings.ToLower(v), nil
	}
	return "", connector.Errorf(connector.Permanent, "virustotal: unsupported observable type %s", o.Type)
}

// get performs one GET below the base URL. A 404 NotFoundError is "not
// known": a nil body and no error.
func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	u := *c.base
	u.Path += path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "virustotal: build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-apikey", c.key.Reveal())
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("virustotal: lookup: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "virustotal: lookup: %s", c.key.Redact(err.Error()))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("virustotal: read response: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "virustotal: read response: %s", c.key.Redact(err.Error()))
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	return nil, statusError(resp, body, c.key)
}

// apiError is VirusTotal's documented error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// statusError classifies a non-200 answer by its HTTP status, quoting
// VirusTotal's error code and message. NotFoundError is no error (nil).
func statusError(resp *http.Response, body []byte, key connector.Secret) error {
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var e apiError
	_ = json.Unmarshal(body, &e) // a body that is not the documented error still has a status
	detail := e.Error.Code
	if e.Error.Message != "" {
		detail += " " + e.Error.Message
	}
	return connector.StatusError("virustotal", resp, detail, key)
}

// object is the part of an API v3 object (IP, domain, URL or file) that
// the finding is built from.
type object struct {
	Data *struct {
		Type       string `json:"type"`
		ID         string `json:"id"`
		Attributes struct {
			Stats struct {
				Harmless   int `json:"harmless"`
				Malicious  int `json:"malicious"`
				Suspicious int `json:"suspicious"`
				Undetected int `json:"undetected"`
				Timeout    int `json:"timeout"`
			} `json:"last_analysis_stats"`
			Reputation     int               `json:"reputation"`
			Categories     map[string]string `json:"categories"`
			Tags           []string          `json:"tags"`
			FirstSubmitted int64             `json:"first_submission_date"`
			LastAnalysis   int64             `json:"last_analysis_date"`
			LastModified   int64             `json:"last_modification_date"`
			Threat         *struct {
				Label    string `json:"suggested_threat_label"`
				Category []struct {
					Value string `json:"value"`
				} `json:"popular_threat_category"`
			} `json:"popular_threat_classification"`
		} `json:"attributes"`
	} `json:"data"`
}

// parse maps one object to a finding: malicious when at least threshold
// engines say malicious, suspicious when any engine says malicious or
// suspicious, unknown otherwise (VirusTotal's silence is not a clean bill).
func parse(body []byte, threshold int) (alert.Finding, error) {
	var obj object
	if err := json.Unmarshal(body, &obj); err != nil {
		return alert.Finding{}, connector.Errorf(connector.Permanent, "virustotal: decode response: %w", err)
	}
	if obj.Data == nil {
		return alert.Finding{}, connector.Errorf(connector.Permanent, "virustotal: decode response: no data object")
	}
	a := obj.Data.Attributes
	s := a.Stats
	engines := s.Harmless + s.Malicious + s.Suspicious + s.Undetected
	f := alert.Finding{Source: Name, Reputation: alert.Unknown, Raw: json.RawMessage(body)}
	switch {
	case s.Malicious >= threshold:
		f.Reputation, f.Confidence = alert.Malicious, min(100, 50+5*s.Malicious)
	case s.Malicious+s.Suspicious > 0:
		f.Reputation, f.Confidence = alert.Suspicious, min(60, 20+10*(s.Malicious+s.Suspicious))
	}
	f.Detail = fmt.Sprintf("VirusTotal %s: %d/%d engines malicious, %d suspicious, %d harmless; community reputation %d",
		obj.Data.Type, s.Malicious, engines, s.Suspicious, s.Harmless, a.Reputation)
	var cats []string
	for _, v := range a.Categories {
		cats = append(cats, strings.ToLower(v))
	}
	if a.Threat != nil {
		f.Family = a.Threat.Label
		for _, c := range a.Threat.Category {
			cats = append(cats, strings.ToLower(c.Value))
		}
	}
	slices.Sort(cats)
	f.Categories = slices.Compact(cats)
	f.FirstSeen = unixTime(a.FirstSubmitted)
	f.LastSeen = unixTime(a.LastAnalysis)
	f.AsOf = unixTime(max(a.LastModified, a.LastAnalysis))
	return f, nil
}

func unixTime(s int64) *time.Time {
	if s <= 0 {
		return nil
	}
	t := time.Unix(s, 0).UTC()
	return &t
}
