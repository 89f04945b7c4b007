package conformance

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Scenario names one behaviour of the provider that the replay server acts out.
type Scenario string

// Scenarios the suite runs.
const (
	// ScenarioHit answers with a documented record about a known-bad observable.
	ScenarioHit Scenario = "hit"
	// ScenarioMiss answers the vendor's documented "not found".
	ScenarioMiss Scenario = "miss"
	// ScenarioUnauthorized refuses the credential (401 or 403).
	ScenarioUnauthorized Scenario = "unauthorized"
	// ScenarioRateLimited answers 429, with Retry-After when the vendor sends it.
	ScenarioRateLimited Scenario = "rate_limited"
	// ScenarioServerError answers a 5xx.
	ScenarioServerError Scenario = "server_error"
	// ScenarioGarbage answers 200 with a body that does not parse.
	ScenarioGarbage Scenario = "garbage"
	// ScenarioSlow blocks until the request's context is done. The suite
	// serves it itself; Handler is not asked for it.
	ScenarioSlow Scenario = "slow"
)

// Suite describes one enricher under test.
type Suite struct {
	Name string
	// New builds the enricher against baseURL with the given HTTP client and
	// a known secret value (the suite checks it never appears in logs or
	// errors). It may call t.Fatal when construction fails.
	New func(t *testing.T, baseURL string, secret string, deps connector.Deps) connector.Enricher
	// Handler serves the vendor's documented responses; Scenario picks one.
	Handler func(sc Scenario) http.Handler
	// Observables gives the observable to look up per scenario; scenarios
	// without an entry use the ScenarioHit one, which is required.
	Observables map[Scenario]alert.Observable
}

// secretValue is the credential handed to every enricher under test; it is
// distinctive so that a leak cannot be a coincidence.
const secretValue = "wnw-conformance-secret-7f3a9c1e5b"

// slowGuard bounds how long the slow scenario's server blocks, so that an
// enricher that ignores its context fails the suite instead of hanging it.
var slowGuard = 10 * time.Second

// Run runs the conformance suite against an enricher built by s.New for a
// server that replays the vendor's payloads. Observables says which
// observable to try and Handler what the server answers for each scenario.
// Its goroutine-leak check counts every goroutine started while it runs, so
// do not call it from a test running in parallel with others (t.Parallel).
func Run(t *testing.T, s Suite) {
	t.Helper()
	if s.New == nil || s.Handler == nil {
		t.Fatal("conformance: Suite.New and Suite.Handler are required")
	}
	if _, ok := s.Observables[ScenarioHit]; !ok {
		t.Fatal("conformance: Suite.Observables needs a ScenarioHit observable")
	}
	ignore := goleak.IgnoreCurrent()
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(t, s); err != nil {
				t.Error(err)
			}
		})
	}
	if err := leaked(ignore); err != nil {
		t.Error(err)
	}
}

// leaked reports goroutines started since ignore was taken that are still
// running (goleak retries for a while, so closing connections may finish).
func leaked(ignore goleak.Option) error {
	if err := goleak.Find(ignore); err != nil {
		return fmt.Errorf("conformance: goroutine leak: %w", err)
	}
	return nil
}

// env is one replay server, client and enricher for one scenario.
type env struct {
	srv      *httptest.Server
	tr       *recordingTransport
	logs     *lockedBuffer
	enricher connector.Enricher
	release  chan struct{}
}

func newEnv(t *testing.T, s Suite, sc Scenario) *env {
	e := &env{logs: &lockedBuffer{}, release: make(chan struct{})}
	var h http.Handler
	if sc == ScenarioSlow {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-e.release:
			case <-time.After(slowGuard):
			}
		})
	} else {
		h = s.Handler(sc)
	}
	e.srv = httptest.NewServer(h)
	u, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatalf("parse server url: %v", err)
	}
	e.tr = &recordingTransport{base: &http.Transport{}, host: u.Host}
	deps := connector.Deps{
		HTTP:   &http.Client{Transport: e.tr},
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	e.enricher = s.New(t, e.srv.URL, secretValue, deps)
	if e.enricher == nil {
		t.Fatal("conformance: Suite.New returned nil")
	}
	return e
}

// close releases a blocked slow handler, stops the server and drops the
// client's idle connections so that no goroutine outlives the check.
func (e *env) close() {
	close(e.release)
	e.tr.base.CloseIdleConnections()
	e.srv.Close()
	if c, ok := e.enricher.(connector.Closer); ok {
		_ = c.Close()
	}
}

// recordingTransport counts requests, remembers the last response's
// Retry-After and refuses any host but the configured one.
type recordingTransport struct {
	base *http.Transport
	host string

	mu         sync.Mutex
	requests   int
	foreign    []string
	retryAfter string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.requests++
	if r.URL.Host != rt.host {
		rt.foreign = append(rt.foreign, r.URL.Host)
		rt.mu.Unlock()
		return nil, fmt.Errorf("conformance: request to foreign host %q refused", r.URL.Host)
	}
	rt.mu.Unlock()
	resp, err := rt.base.RoundTrip(r)
	if err == nil {
		rt.mu.Lock()
		rt.retryAfter = resp.Header.Get("Retry-After")
		rt.mu.Unlock()
	}
	return resp, err
}

func (rt *recordingTransport) snapshot() (requests int, foreign []string, retryAfter string) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.requests, append([]string(nil), rt.foreign...), rt.retryAfter
}

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// observable picks the scenario's observable, defaulting to the hit one.
func (s Suite) observable(sc Scenario) alert.Observable {
	if o, ok := s.Observables[sc]; ok {
		return o
	}
	return s.Observables[ScenarioHit]
}

// lookupTimeout bounds every lookup but the slow one, whose own deadline is
// slowDeadline.
const (
	lookupTimeout = 10 * time.Second
	slowDeadline  = 100 * time.Millisecond
)

func lookup(e *env, o alert.Observable, timeout time.Duration) ([]alert.Finding, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return e.enricher.Enrich(ctx, o)
}
