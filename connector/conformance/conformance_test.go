package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// flaw is a rule a fake enricher deliberately breaks.
type flaw string

const (
	sound            flaw = ""
	leakInError      flaw = "leak_in_error"
	logKey           flaw = "log_key"
	keyInDetail      flaw = "key_in_detail"
	ignoreContext    flaw = "ignore_context"
	serverPermanent  flaw = "server_permanent"
	garbageRetryable flaw = "garbage_retryable"
	unauthRetryable  flaw = "unauth_retryable"
	missAsError      flaw = "miss_as_error"
	missAsFinding    flaw = "miss_as_finding"
	dropRetryAfter   flaw = "drop_retry_after"
	wrongSource      flaw = "wrong_source"
	badReputation    flaw = "bad_reputation"
	foreignHost      flaw = "foreign_host"
	requestAnyType   flaw = "request_any_type"
	noSupportForHit  flaw = "no_support_for_hit"
	leakGoroutine    flaw = "leak_goroutine"
)

// leakStop releases the goroutines the leakGoroutine flaw starts.
var leakStop = make(chan struct{})

// fake speaks a tiny protocol: GET {base}/v1/lookup?q=VALUE with X-Key.
type fake struct {
	base string
	key  connector.Secret
	http *http.Client
	log  *slog.Logger
	flaw flaw
}

func (f *fake) Name() string { return "fake" }

func (f *fake) Supports(t alert.ObservableType) bool {
	if f.flaw == noSupportForHit {
		return t == alert.Domain
	}
	return t == alert.IPv4 || t == alert.IPv6
}

func (f *fake) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if !f.Supports(o.Type) && f.flaw != requestAnyType {
		return nil, connector.Errorf(connector.Permanent, "fake: unsupported type %s", o.Type)
	}
	if f.flaw == leakGoroutine {
		go func() { <-leakStop }()
	}
	if f.flaw == ignoreContext {
		ctx = context.Background()
	}
	base := f.base
	if f.flaw == foreignHost {
		base = "http://" + o.Value + ".example.invalid"
	}
	u := base + "/v1/lookup?q=" + url.QueryEscape(o.Value) + "&k=" + url.QueryEscape(f.key.Reveal())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "fake: build request: %w", err)
	}
	if f.flaw == logKey {
		f.log.Debug("lookup", "url", u)
	} else {
		f.log.Debug("lookup", "value", o.Value, "key", f.key)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		if f.flaw == leakInError {
			return nil, fmt.Errorf("fake: %w", err)
		}
		return nil, fmt.Errorf("fake: %s: %w", f.key.Redact(err.Error()), ctx.Err())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("fake: read body: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && f.flaw == missAsError:
		return nil, connector.Errorf(connector.Permanent, "fake: not found")
	case resp.StatusCode == http.StatusNotFound && f.flaw == missAsFinding:
		return []alert.Finding{{Source: f.Name(), Reputation: alert.Unknown}}, nil
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil
	case resp.StatusCode == http.StatusUnauthorized && f.flaw != unauthRetryable:
		return nil, connector.Errorf(connector.Unauthorized, "fake: key refused")
	case resp.StatusCode == http.StatusTooManyRequests:
		e := &connector.Error{Kind: connector.RateLimited, Err: fmt.Errorf("fake: rate limited")}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && f.flaw != dropRetryAfter {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, e
	case resp.StatusCode >= 500 && f.flaw == serverPermanent:
		return nil, connector.Errorf(connector.Permanent, "fake: status %d", resp.StatusCode)
	case resp.StatusCode != http.StatusOK && f.flaw == leakInError:
		return nil, connector.Errorf(connector.Retryable, "fake: GET %s: status %d", u, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, connector.Errorf(connector.Retryable, "fake: status %d", resp.StatusCode)
	}
	var v struct {
		Verdict string `json:"verdict"`
		Score   int    `json:"score"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		kind := connector.Permanent
		if f.flaw == garbageRetryable {
			kind = connector.Retryable
		}
		return nil, connector.Errorf(kind, "fake: decode response: %w", err)
	}
	fd := alert.Finding{Source: f.Name(), Reputation: alert.Reputation(v.Verdict), Confidence: v.Score, Raw: body}
	if f.flaw == badReputation {
		fd.Reputation = "evil"
	}
	if f.flaw == wrongSource {
		fd.Source = "fake-renamed"
	}
	if f.flaw == keyInDetail {
		fd.Detail = "looked up with " + f.key.Reveal()
	}
	return []alert.Finding{fd}, nil
}

func fakeHandler(sc Scenario) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/lookup" || r.URL.Query().Get("q") == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		switch sc {
		case ScenarioHit:
			io.WriteString(w, `{"verdict":"malicious","score":90}`)
		case ScenarioMiss:
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		case ScenarioUnauthorized:
			http.Error(w, `{"error":"bad key"}`, http.StatusUnauthorized)
		case ScenarioRateLimited:
			w.Header().Set("Retry-After", "30")
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
		case ScenarioServerError:
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
		case ScenarioGarbage:
			io.WriteString(w, "<html>maintenance</html>")
		}
	})
}

func fakeSuite(fl flaw) Suite {
	return Suite{
		Name: "fake",
		New: func(t *testing.T, baseURL, secret string, deps connector.Deps) connector.Enricher {
			return &fake{base: baseURL, key: connector.NewSecret(secret), http: deps.HTTP, log: deps.Logger, flaw: fl}
		},
		Handler:     fakeHandler,
		Observables: map[Scenario]alert.Observable{ScenarioHit: {Type: alert.IPv4, Value: "203.0.113.7"}},
	}
}

func TestRunSound(t *testing.T) {
	Run(t, fakeSuite(sound))
}

func TestChecksCatchFlaws(t *testing.T) {
	defer func(g time.Duration) { slowGuard = g }(slowGuard)
	slowGuard = 500 * time.Millisecond
	byName := map[string]check{}
	for _, c := range checks() {
		byName[c.name] = c
	}
	for _, c := range []struct {
		flaw  flaw
		check string
		want  string
	}{
		{leakInError, "server_error", "secret appears in the error"},
		{logKey, "hit", "secret appears in the log"},
		{keyInDetail, "hit", "secret appears in finding 0"},
		{ignoreContext, "slow", "did not return when its context expired"},
		{serverPermanent, "server_error", "error kind permanent, want retryable"},
		{garbageRetryable, "garbage", "error kind retryable, want permanent"},
		{unauthRetryable, "unauthorized", "error kind retryable, want unauthorized"},
		{missAsError, "miss", "not found must be no error"},
		{missAsFinding, "miss", "not found must be no finding"},
		{dropRetryAfter, "rate_limited", "carries no RetryAfter"},
		{wrongSource, "hit", `Source "fake-renamed"`},
		{badReputation, "concurrent", `invalid Reputation "evil"`},
		{foreignHost, "hit", "hosts other than the base URL's"},
		{requestAnyType, "unsupported", "requests sent for types the enricher does not support"},
		{noSupportForHit, "hit", "Supports(ipv4) is false"},
	} {
		t.Run(string(c.flaw), func(t *testing.T) {
			err := byName[c.check].run(t, fakeSuite(c.flaw))
			if err == nil {
				t.Fatalf("check %s passed an enricher with flaw %s", c.check, c.flaw)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("check %s: %v\nwant it to say %q", c.check, err, c.want)
			}
			if sound := byName[c.check].run(t, fakeSuite(sound)); sound != nil {
				t.Errorf("check %s fails the sound enricher too: %v", c.check, sound)
			}
		})
	}
}

func TestLeakCaught(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	if err := checkHit(t, fakeSuite(sound)); err != nil {
		t.Fatal(err)
	}
	if err := leaked(ignore); err != nil {
		t.Fatalf("a sound enricher leaks: %v", err)
	}
	if err := checkHit(t, fakeSuite(leakGoroutine)); err != nil {
		t.Fatal(err)
	}
	err := leaked(ignore)
	close(leakStop)
	if err == nil || !strings.Contains(err.Error(), "goroutine leak") {
		t.Errorf("leaked goroutine not reported: %v", err)
	}
}
