package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// check is one rule of the suite; run returns why the enricher broke it.
type check struct {
	name string
	run  func(t *testing.T, s Suite) error
}

func checks() []check {
	return []check{
		{"hit", checkHit},
		{"miss", checkMiss},
		{"unauthorized", kindCheck(ScenarioUnauthorized, connector.Unauthorized)},
		{"rate_limited", checkRateLimited},
		{"server_error", kindCheck(ScenarioServerError, connector.Retryable)},
		{"garbage", kindCheck(ScenarioGarbage, connector.Permanent)},
		{"slow", checkSlow},
		{"unsupported", checkUnsupported},
		{"concurrent", checkConcurrent},
	}
}

// scenario runs one lookup for sc and applies the rules every lookup must
// keep whatever the answer: the type is supported, no foreign host was
// contacted and the secret appears nowhere.
func scenario(t *testing.T, s Suite, sc Scenario, timeout time.Duration) outcome {
	e := newEnv(t, s, sc)
	defer e.close()
	o := s.observable(sc)
	if !e.enricher.Supports(o.Type) {
		return outcome{env: e, hygiene: fmt.Errorf("%s: Supports(%s) is false for the suite's own observable", sc, o.Type)}
	}
	fs, err := lookup(e, o, timeout)
	return outcome{fs: fs, err: err, env: e, hygiene: hygiene(sc, e, fs, err)}
}

// outcome is one scenario's lookup result and the hygiene rules it broke.
type outcome struct {
	fs      []alert.Finding
	err     error
	env     *env
	hygiene error
}

// hygiene checks what no lookup may do, whatever its outcome.
func hygiene(sc Scenario, e *env, fs []alert.Finding, lookupErr error) error {
	var errs []error
	if _, foreign, _ := e.tr.snapshot(); len(foreign) > 0 {
		errs = append(errs, fmt.Errorf("%s: requests to hosts other than the base URL's: %v", sc, foreign))
	}
	if lookupErr != nil && strings.Contains(fmt.Sprintf("%v %+v", lookupErr, lookupErr), secretValue) {
		errs = append(errs, fmt.Errorf("%s: the secret appears in the error", sc))
	}
	if strings.Contains(e.logs.String(), secretValue) {
		errs = append(errs, fmt.Errorf("%s: the secret appears in the log", sc))
	}
	for i, f := range fs {
		text := f.Detail + " " + string(f.Raw) + " " + f.Family + " " + strings.Join(f.Categories, " ")
		if strings.Contains(text, secretValue) {
			errs = append(errs, fmt.Errorf("%s: the secret appears in finding %d", sc, i))
		}
	}
	return errors.Join(errs...)
}

var reputations = map[alert.Reputation]bool{
	alert.Malicious: true, alert.Suspicious: true, alert.Benign: true, alert.Unknown: true, alert.Context: true,
}

// validFindings checks that every finding is signed by the enricher and
// carries a verdict the model knows.
func validFindings(name string, fs []alert.Finding) error {
	var errs []error
	for i, f := range fs {
		if f.Source != name {
			errs = append(errs, fmt.Errorf("finding %d: Source %q, want Name() %q", i, f.Source, name))
		}
		if !reputations[f.Reputation] {
			errs = append(errs, fmt.Errorf("finding %d: invalid Reputation %q", i, f.Reputation))
		}
		if f.Confidence < 0 || f.Confidence > 100 {
			errs = append(errs, fmt.Errorf("finding %d: Confidence %d outside 0-100", i, f.Confidence))
		}
	}
	return errors.Join(errs...)
}

func checkHit(t *testing.T, s Suite) error {
	r := scenario(t, s, ScenarioHit, lookupTimeout)
	fs, err, e, hyg := r.fs, r.err, r.env, r.hygiene
	if err != nil {
		return errors.Join(fmt.Errorf("hit: unexpected error: %w", err), hyg)
	}
	if len(fs) == 0 {
		return errors.Join(errors.New("hit: no findings"), hyg)
	}
	if got := e.enricher.Name(); got != s.Name {
		return errors.Join(fmt.Errorf("hit: Name() %q, want the suite's %q", got, s.Name), hyg)
	}
	if n, _, _ := e.tr.snapshot(); n == 0 {
		return errors.Join(errors.New("hit: findings without a request to the server"), hyg)
	}
	return errors.Join(validFindings(e.enricher.Name(), fs), hyg)
}

func checkMiss(t *testing.T, s Suite) error {
	r := scenario(t, s, ScenarioMiss, lookupTimeout)
	fs, err, hyg := r.fs, r.err, r.hygiene
	if err != nil {
		return errors.Join(fmt.Errorf("miss: not found must be no error, got: %w", err), hyg)
	}
	if len(fs) > 0 {
		return errors.Join(fmt.Errorf("miss: not found must be no finding, got %d", len(fs)), hyg)
	}
	return hyg
}

func kindCheck(sc Scenario, want connector.Kind) func(*testing.T, Suite) error {
	return func(t *testing.T, s Suite) error {
		return wantKind(sc, scenario(t, s, sc, lookupTimeout), want)
	}
}

// wantKind checks that a scenario's lookup failed with the wanted kind.
func wantKind(sc Scenario, r outcome, want connector.Kind) error {
	switch {
	case r.err == nil:
		return errors.Join(fmt.Errorf("%s: no error (%d findings), want %s", sc, len(r.fs), want), r.hygiene)
	case connector.KindOf(r.err) != want:
		return errors.Join(fmt.Errorf("%s: error kind %s, want %s: %w", sc, connector.KindOf(r.err), want, r.err), r.hygiene)
	case len(r.fs) > 0:
		return errors.Join(fmt.Errorf("%s: findings returned with an error", sc), r.hygiene)
	}
	return r.hygiene
}

func checkRateLimited(t *testing.T, s Suite) error {
	r := scenario(t, s, ScenarioRateLimited, lookupTimeout)
	if err := wantKind(ScenarioRateLimited, r, connector.RateLimited); err != nil {
		return err
	}
	if _, _, ra := r.env.tr.snapshot(); ra != "" {
		var ce *connector.Error
		if !errors.As(r.err, &ce) || ce.RetryAfter <= 0 {
			return fmt.Errorf("rate_limited: the server sent Retry-After %q but the error carries no RetryAfter", ra)
		}
	}
	return nil
}

func checkSlow(t *testing.T, s Suite) error {
	start := time.Now()
	r := scenario(t, s, ScenarioSlow, slowDeadline)
	fs, err, hyg := r.fs, r.err, r.hygiene
	// A liveness bound, not a timing assertion: an enricher that ignores its
	// context only returns when the server's guard lets go.
	if time.Since(start) >= slowGuard {
		return errors.Join(errors.New("slow: the lookup did not return when its context expired"), hyg)
	}
	switch {
	case err == nil:
		return errors.Join(fmt.Errorf("slow: no error (%d findings) from a server that never answered", len(fs)), hyg)
	case !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled):
		return errors.Join(fmt.Errorf("slow: the error does not wrap the context's: %w", err), hyg)
	}
	return hyg
}

// allTypes are the observable types an enricher may be asked about.
var allTypes = []alert.ObservableType{
	alert.IPv4, alert.IPv6, alert.Domain, alert.URL, alert.EmailAd, alert.MD5, alert.SHA1,
	alert.SHA256, alert.CVE, alert.UserID, alert.HostID, alert.ProcID, alert.FileID,
}

func checkUnsupported(t *testing.T, s Suite) error {
	e := newEnv(t, s, ScenarioHit)
	defer e.close()
	var errs []error
	for _, typ := range allTypes {
		if e.enricher.Supports(typ) {
			continue
		}
		fs, err := lookup(e, alert.Observable{Type: typ, Value: "x"}, lookupTimeout)
		if err == nil || connector.KindOf(err) != connector.Permanent {
			errs = append(errs, fmt.Errorf("unsupported %s: want a permanent error, got %v", typ, err))
		}
		if len(fs) > 0 {
			errs = append(errs, fmt.Errorf("unsupported %s: findings returned", typ))
		}
	}
	if n, _, _ := e.tr.snapshot(); n > 0 {
		errs = append(errs, fmt.Errorf("unsupported: %d requests sent for types the enricher does not support", n))
	}
	errs = append(errs, hygiene("unsupported", e, nil, nil))
	return errors.Join(errs...)
}

// concurrency is how many lookups run at once in the concurrent check.
const concurrency = 8

func checkConcurrent(t *testing.T, s Suite) error {
	e := newEnv(t, s, ScenarioHit)
	defer e.close()
	o := s.observable(ScenarioHit)
	results := make([]error, concurrency)
	counts := make([]int, concurrency)
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			fs, err := lookup(e, o, lookupTimeout)
			results[i], counts[i] = err, len(fs)
			if err == nil {
				results[i] = validFindings(e.enricher.Name(), fs)
			}
		})
	}
	wg.Wait()
	var errs []error
	for i, err := range results {
		if err != nil {
			errs = append(errs, fmt.Errorf("concurrent lookup %d: %w", i, err))
		} else if counts[i] != counts[0] {
			errs = append(errs, fmt.Errorf("concurrent lookup %d: %d findings, lookup 0 had %d", i, counts[i], counts[0]))
		}
	}
	errs = append(errs, hygiene("concurrent", e, nil, nil))
	return errors.Join(errs...)
}
