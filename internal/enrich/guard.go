package enrich

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/sony/gobreaker/v2"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// ErrBreakerOpen means the provider failed repeatedly and is not called
// until its cooldown has passed.
var ErrBreakerOpen = errors.New("circuit open")

// Guarded is the failure layer of one provider: a circuit breaker over
// retries with exponential backoff. Only Retryable errors are retried; a
// RateLimited error is retried after its RetryAfter when that wait fits in
// the lookup's deadline, and returned at once otherwise (the lookup
// degrades). Permanent and RateLimited errors and "quota spent" do not count
// against the breaker: the provider answered.
type Guarded struct {
	next    connector.Enricher
	retries int
	timeout time.Duration
	base    time.Duration
	cb      *gobreaker.CircuitBreaker[[]alert.Finding]
}

// NewGuarded wraps next with policy's breaker, retries and per-call timeout.
func NewGuarded(next connector.Enricher, p *Policy) *Guarded {
	failures, cooldown := p.BreakerFailures, p.BreakerCooldown
	if failures == 0 {
		failures = 5
	}
	if cooldown <= 0 {
		cooldown = 30 * time.Second
	}
	g := &Guarded{next: next, retries: p.Retries, timeout: p.Timeout, base: 100 * time.Millisecond}
	g.cb = gobreaker.NewCircuitBreaker[[]alert.Finding](gobreaker.Settings{
		Name:        p.Name,
		MaxRequests: 1,
		Timeout:     cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsSuccessful: func(err error) bool {
			if err == nil || errors.Is(err, ErrQuotaSpent) || errors.Is(err, ErrRateWait) {
				return true
			}
			k := connector.KindOf(err)
			return k == connector.Permanent || k == connector.RateLimited
		},
	})
	return g
}

var _ connector.Enricher = (*Guarded)(nil)

// Name implements connector.Enricher.
func (g *Guarded) Name() string { return g.next.Name() }

// Supports implements connector.Enricher.
func (g *Guarded) Supports(t alert.ObservableType) bool { return g.next.Supports(t) }

// State is the breaker's state: "closed", "half-open" or "open".
func (g *Guarded) State() string { return g.cb.State().String() }

// Enrich implements connector.Enricher.
func (g *Guarded) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	fs, err := g.cb.Execute(func() ([]alert.Finding, error) { return g.retry(ctx, o) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, fmt.Errorf("%w: %w", ErrBreakerOpen, err)
	}
	return fs, err
}

func (g *Guarded) retry(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = g.base
	for attempt := 0; ; attempt++ {
		fs, err := g.call(ctx, o)
		if err == nil || attempt >= g.retries || ctx.Err() != nil {
			return fs, err
		}
		var wait time.Duration
		switch connector.KindOf(err) {
		case connector.Retryable:
			if errors.Is(err, ErrQuotaSpent) || errors.Is(err, ErrRateWait) {
				return nil, err
			}
			wait = bo.NextBackOff()
		case connector.RateLimited:
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.RetryAfter <= 0 {
				return nil, err
			}
			wait = ce.RetryAfter
		default:
			return nil, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
			return nil, err // the wait outlives the alert: degrade now
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

func (g *Guarded) call(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if g.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.timeout)
		defer cancel()
	}
	return g.next.Enrich(ctx, o)
}
