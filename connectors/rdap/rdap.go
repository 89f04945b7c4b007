package rdap

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Name is the provider's identifier in findings and configuration.
const Name = "rdap"

const maxBody = 4 << 20

// Client looks domains and IPs up over RDAP. It is safe for concurrent use.
type Client struct {
	bootURL *url.URL
	bootDir string
	refresh time.Duration
	newDays int
	http    *http.Client
	now     func() time.Time

	// loading is a one-slot semaphore guarding reg and loadedAt; unlike a
	// mutex, a lookup waiting on another's bootstrap load honours its ctx.
	loading  chan struct{}
	reg      *registry
	loadedAt time.Time
}

var _ connector.Enricher = (*Client)(nil)

// New builds a client from a validated configuration. The bootstrap is
// loaded on the first lookup, not here, so that building does no I/O.
func New(cfg *Config, deps connector.Deps) (*Client, error) {
	c := &Client{bootDir: cfg.BootstrapDir, refresh: time.Duration(cfg.BootstrapRefreshHours) * time.Hour,
		newDays: cfg.NewlyRegisteredDays, http: deps.Client(), now: time.Now, loading: make(chan struct{}, 1)}
	if cfg.BootstrapDir == "" {
		u, err := url.Parse(cfg.BootstrapURL)
		if err != nil {
			return nil, fmt.Errorf("rdap bootstrap_url: %w", err)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.bootURL = u
	}
	return c, nil
}

// Name returns "rdap".
func (c *Client) Name() string { return Name }

// Supports reports domains and IP addresses.
func (c *Client) Supports(t alert.ObservableType) bool {
	return t == alert.Domain || t == alert.IPv4 || t == alert.IPv6
}

// Enrich looks one domain or IP up at the server the bootstrap names. A
// domain whose registry publishes no RDAP, and a 404, yield no finding.
func (c *Client) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	var domain string
	var ip netip.Addr
	switch o.Type {
	case alert.Domain:
		d, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(strings.Trim(o.Value, ".")))
		if err != nil {
			return nil, connector.Errorf(connector.Permanent, "rdap: %q has no registrable domain: %w", o.Value, err)
		}
		domain = d
	case alert.IPv4, alert.IPv6:
		a, err := netip.ParseAddr(o.Value)
		if err != nil {
			return nil, connector.Errorf(connector.Permanent, "rdap: %q is not an IP address", o.Value)
		}
		ip = a.Unmap()
	default:
		return nil, connector.Errorf(connector.Permanent, "rdap: unsupported observable type %s", o.Type)
	}
	reg, err := c.registry(ctx)
	if err != nil {
		return nil, err
	}
	var server *url.URL
	var query string
	if domain != "" {
		server, query = reg.domainServer(domain), "domain/"+domain
	} else {
		server, query = reg.ipServer(ip), "ip/"+ip.String()
	}
	if server == nil {
		return nil, nil
	}
	body, err := c.get(ctx, server.JoinPath(query).String(), "application/rdap+json")
	if err != nil || body == nil {
		return nil, err
	}
	if domain != "" {
		return parseDomain(body, c.now(), c.newDays)
	}
	return parseIP(body)
}

// registry returns the bootstrap, loading it when absent or stale. A load
// that fails is not kept: the next lookup tries again.
func (c *Client) registry(ctx context.Context) (*registry, error) {
	select {
	case c.loading <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("rdap: wait for bootstrap: %w", ctx.Err())
	}
	defer func() { <-c.loading }()
	if c.reg != nil && (c.refresh == 0 || c.now().Sub(c.loadedAt) < c.refresh) {
		return c.reg, nil
	}
	reg := newRegistry()
	for _, kind := range []string{fileDNS, fileIPv4, fileIPv6} {
		var body []byte
		var err error
		if c.bootDir != "" {
			body, err = os.ReadFile(filepath.Join(c.bootDir, kind))
			if err != nil {
				err = connector.Errorf(connector.Permanent, "%w", err)
			}
		} else {
			body, err = c.get(ctx, c.bootURL.JoinPath(kind).String(), "application/json")
			if err == nil && body == nil {
				err = connector.Errorf(connector.Permanent, "not found at the bootstrap URL")
			}
		}
		if err != nil {
			return nil, errNoBootstrap(kind, err)
		}
		if err := parseBootstrap(reg, kind, body); err != nil {
			return nil, err
		}
	}
	c.reg, c.loadedAt = reg, c.now()
	return reg, nil
}

// get fetches one URL taken from the configuration or the bootstrap; a 404
// is a nil body and no error.
func (c *Client) get(ctx context.Context, target, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "rdap: build request: %w", err)
	}
	req.Header.Set("Accept", accept)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rdap: query: %w", ctx.Err())
		}
		return nil, connector.Errorf(connector.Retryable, "rdap: query: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "rdap: read response: %w", err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	// RDAP error bodies are optional and vary by registry; the host that
	// refused says more to an analyst than their wording.
	if err := connector.StatusError("rdap", resp, "from "+req.URL.Host, connector.Secret{}); err != nil {
		return nil, err
	}
	return body, nil
}
