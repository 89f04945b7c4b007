package misp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's stable identifier in findings and configuration.
const Name = "misp"

// maxBody bounds how much of a response is read: a lookup of one value
// that returns more is a misconfigured limit or a hostile server.
const maxBody = 8 << 20

// Client looks observables up in one MISP instance.
type Client struct {
	endpoint string
	key      connector.Secret
	limit    int
	warn     bool
	http     *http.Client
}

var _ connector.Enricher = (*Client)(nil)

// New returns a client for cfg, which must have passed Validate. Without a host client it uses connector.Deps.Client's default.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	if err := connector.ValidBaseURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("misp: base_url: %w", err)
	}
	if key.IsZero() {
		return nil, fmt.Errorf("misp: api_key: %w", connector.ErrNoSecret)
	}
	hc := deps.Client()
	limit := cfg.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	return &Client{
		endpoint: strings.TrimRight(cfg.BaseURL, "/") + "/attributes/restSearch",
		key:      key,
		limit:    limit,
		warn:     cfg.EnforceWarninglist,
		http:     hc,
	}, nil
}

// Name returns "misp".
func (c *Client) Name() string { return Name }

// Supports reports whether MISP holds attributes of this type.
func (c *Client) Supports(t alert.ObservableType) bool {
	switch t {
	case alert.IPv4, alert.IPv6, alert.Domain, alert.URL, alert.EmailAd,
		alert.MD5, alert.SHA1, alert.SHA256:
		return true
	}
	return false
}

// searchRequest is the restSearch body: MISP matches value against both
// halves of composite attributes (domain|ip, filename|sha256).
type searchRequest struct {
	ReturnFormat       string `json:"returnFormat"`
	Value              string `json:"value"`
	IncludeSightings   bool   `json:"includeSightings"`
	IncludeEventTags   bool   `json:"includeEventTags"`
	EnforceWarninglist bool   `json:"enforceWarninglist,omitempty"`
	Limit              int    `json:"limit"`
	Page               int    `json:"page"`
}

// Enrich searches MISP's attributes for o's value and returns one finding
// that sums them up, or none when MISP has no attribute with that value.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "misp: observable type %q not supported", o.Type)
	}
	body, err := json.Marshal(searchRequest{
		ReturnFormat: "json", Value: o.Value, IncludeSightings: true, IncludeEventTags: true,
		EnforceWarninglist: c.warn, Limit: c.limit, Page: 1,
	})
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "misp: encode search: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "misp: build request: %w", err)
	}
	req.Header.Set("Authorization", c.key.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("misp: search attributes: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("misp: read response: %w", err)
	}
	if err := c.status(resp, raw); err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if len(raw) > maxBody {
		return nil, connector.Errorf(connector.Permanent, "misp: response over %d bytes", maxBody)
	}
	attrs, err := Decode(raw)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "misp: %w", err)
	}
	f, ok := Summarize(attrs)
	if !ok {
		return nil, nil
	}
	f.Raw = raw
	return []alert.Finding{f}, nil
}

// status classifies a non-200 answer. 404 is MISP's "Nothing found" on
// older releases and means no finding, not an error.
func (c *Client) status(resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return connector.StatusError("misp", resp, snippet(body), c.key)
}

// snippet is what a server's answer says for an error message: MISP's
// JSON message or name, else the body itself.
func snippet(body []byte) string {
	var msg struct {
		Message string `json:"message"`
		Name    string `json:"name"`
	}
	if json.Unmarshal(body, &msg) == nil && (msg.Message != "" || msg.Name != "") {
		if msg.Message != "" {
			return msg.Message
		}
		return msg.Name
	}
	return string(body)
}

// ErrShape means a 200 answer that is JSON but not a restSearch result.
var ErrShape = errors.New("response is not an attribute search result")
