package opencti

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
const Name = "opencti"

// maxBody bounds how much of a response is read.
const maxBody = 8 << 20

// Query is the one GraphQL document the connector sends. It uses the
// FilterGroup format of OpenCTI 5.12 and later (mode, filters,
// filterGroups) and asks only for the fields the verdict reads.
const Query = `query WinnowLookup($observables: FilterGroup, $indicators: FilterGroup, $first: Int) {
  stixCyberObservables(filters: $observables, first: $first) {
    edges { node { id entity_type observable_value x_opencti_score updated_at createdBy { name } objectLabel { value } } }
  }
  indicators(filters: $indicators, first: $first) {
    edges { node { id name pattern pattern_type indicator_types x_opencti_score valid_from valid_until revoked updated_at createdBy { name } objectLabel { value } } }
  }
}`

// Client looks observables up in one OpenCTI platform.
type Client struct {
	endpoint string
	key      connector.Secret
	bands    Bands
	first    int
	http     *http.Client
}

var _ connector.Enricher = (*Client)(nil)

// New returns a client for cfg, which must have passed Validate (Defaults
// applied). Without a host client it uses connector.Deps.Client's default.
func New(cfg *Config, key connector.Secret, deps connector.Deps) (*Client, error) {
	if err := connector.ValidBaseURL(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("opencti: base_url: %w", err)
	}
	if key.IsZero() {
		return nil, fmt.Errorf("opencti: api_key: %w", connector.ErrNoSecret)
	}
	hc := deps.Client()
	bands := Bands{Malicious: cfg.MaliciousScore, Suspicious: cfg.SuspiciousScore, Benign: DefaultBenignScore}
	if cfg.BenignScore != nil {
		bands.Benign = *cfg.BenignScore
	}
	return &Client{
		endpoint: strings.TrimRight(cfg.BaseURL, "/") + "/graphql",
		key:      key,
		bands:    bands,
		first:    cfg.First,
		http:     hc,
	}, nil
}

// Name returns "opencti".
func (c *Client) Name() string { return Name }

// observableKey is the filter key that holds a value of each supported
// type: the hashes of StixFile observables, the value of the others.
var observableKey = map[alert.ObservableType]string{
	alert.IPv4: "value", alert.IPv6: "value", alert.Domain: "value", alert.URL: "value",
	alert.EmailAd: "value", alert.MD5: "hashes.MD5", alert.SHA1: "hashes.SHA-1", alert.SHA256: "hashes.SHA-256",
}

// Supports reports whether OpenCTI holds observables of this type.
func (c *Client) Supports(t alert.ObservableType) bool {
	_, ok := observableKey[t]
	return ok
}

type filter struct {
	Key      string   `json:"key"`
	Values   []string `json:"values"`
	Operator string   `json:"operator"`
	Mode     string   `json:"mode"`
}

type filterGroup struct {
	Mode         string        `json:"mode"`
	Filters      []filter      `json:"filters"`
	FilterGroups []filterGroup `json:"filterGroups"`
}

type graphQLRequest struct {
	Query     string    `json:"query"`
	Variables variables `json:"variables"`
}

type variables struct {
	Observables filterGroup `json:"observables"`
	Indicators  filterGroup `json:"indicators"`
	First       int         `json:"first"`
}

// request builds the variables for one value: observables whose value (or
// hash) equals it; indicators named after it or whose STIX pattern
// contains it.
func (c *Client) request(o alert.Observable) graphQLRequest {
	v := []string{o.Value}
	return graphQLRequest{Query: Query, Variables: variables{
		Observables: filterGroup{Mode: "and", FilterGroups: []filterGroup{},
			Filters: []filter{{Key: observableKey[o.Type], Values: v, Operator: "eq", Mode: "or"}}},
		Indicators: filterGroup{Mode: "or", FilterGroups: []filterGroup{},
			Filters: []filter{
				{Key: "name", Values: v, Operator: "eq", Mode: "or"},
				{Key: "pattern", Values: v, Operator: "contains", Mode: "or"},
			}},
		First: c.first,
	}}
}

// Enrich asks OpenCTI about o and returns one finding, or none when the
// platform holds neither an observable nor a live indicator for it.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !c.Supports(o.Type) {
		return nil, connector.Errorf(connector.Permanent, "opencti: observable type %q not supported", o.Type)
	}
	body, err := json.Marshal(c.request(o))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "opencti: encode query: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "opencti: build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("opencti: query: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("opencti: read response: %w", err)
	}
	if err := c.status(resp, raw); err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if len(raw) > maxBody {
		return nil, connector.Errorf(connector.Permanent, "opencti: response over %d bytes", maxBody)
	}
	r, err := Decode(raw)
	if err != nil {
		if ge := (*GraphQLError)(nil); errors.As(err, &ge) {
			return nil, connector.Errorf(ge.Kind(), "opencti: %s", c.key.Redact(ge.Error()))
		}
		return nil, connector.Errorf(connector.Permanent, "opencti: %w", err)
	}
	f, ok := Summarize(r, c.bands)
	if !ok {
		return nil, nil
	}
	f.Raw = raw
	return []alert.Finding{f}, nil
}

// status classifies a non-200 answer. OpenCTI answers most refusals with
// 200 and a GraphQL error, which Decode reads; a 404 means no finding.
func (c *Client) status(resp *http.Response, body []byte) error {
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return connector.StatusError("opencti", resp, snippet(body), c.key)
}

// snippet is what an answer says for an error message: its GraphQL
// error, else the body itself.
func snippet(body []byte) string {
	r, err := Decode(body)
	if ge := (*GraphQLError)(nil); errors.As(err, &ge) {
		return ge.Error()
	}
	if err == nil && r != nil {
		return "no errors"
	}
	return string(body)
}
