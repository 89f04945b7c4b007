package connector

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// DefaultTimeout bounds one request of the default client.
const DefaultTimeout = 30 * time.Second

// Client returns the host's HTTP client, or, when the host gave none, a
// client with DefaultTimeout that never follows a redirect: a connector
// only ever talks to its configured endpoint, so a redirect elsewhere is
// answered as the response it is, never followed.
func (d Deps) Client() *http.Client {
	if d.HTTP != nil {
		return d.HTTP
	}
	return &http.Client{
		Timeout:       DefaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ValidBaseURL accepts an absolute http(s) URL without credentials, query
// or fragment: a connector appends its API path to it and nothing else.
func ValidBaseURL(raw string) error {
	if raw == "" {
		return errors.New("required")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("scheme %q: want https or http", u.Scheme)
	case u.Host == "":
		return errors.New("no host")
	case u.User != nil:
		return errors.New("must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return errors.New("must not carry a query or fragment")
	}
	return nil
}
