package enrich

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// QuotaStore persists quota counters so that a restart does not reset them;
// *store.SQLite and *MemoryStore implement it. Periods are "day:2006-01-02"
// and "month:2006-01" (UTC).
type QuotaStore interface {
	// QuotaAdd adds n to a counter and returns its new value.
	QuotaAdd(ctx context.Context, provider, period string, n int64) (int64, error)
	QuotaUsed(ctx context.Context, provider, period string) (int64, error)
}

// ErrQuotaSpent means a provider's daily or monthly quota is used up; the
// lookup degrades to the cache and offline intel.
var ErrQuotaSpent = errors.New("quota spent")

// ErrRateWait means the provider's rate budget has no slot before the
// lookup's deadline.
var ErrRateWait = errors.New("rate budget exhausted before the deadline")

// QuotaError says which quota was spent.
type QuotaError struct {
	Period string // "daily" or "monthly"
	Limit  int64
}

func (e *QuotaError) Error() string { return fmt.Sprintf("%s quota (%d) spent", e.Period, e.Limit) }

// Unwrap makes errors.Is(err, ErrQuotaSpent) hold.
func (e *QuotaError) Unwrap() error { return ErrQuotaSpent }

// rateMargin stretches the spacing of requests a little, so that network
// jitter can never make the provider count N+1 requests in its window.
const rateMargin = 1.02

// Limited is the rate and quota layer of one provider: every call that
// reaches it is one upstream request, so it sits below the cache and the
// retries. Counters are persisted before the request is sent.
type Limited struct {
	next     connector.Enricher
	provider string
	limiter  *rate.Limiter
	daily    int64
	monthly  int64
	quota    QuotaStore
	now      func() time.Time

	mu           sync.Mutex
	day, month   string
	usedD, usedM int64
	loaded       bool
}

// NewLimited wraps next with policy's rate and quotas; quota may be nil
// (counters in memory only).
func NewLimited(next connector.Enricher, p *Policy, quota QuotaStore, now func() time.Time) *Limited {
	if now == nil {
		now = time.Now
	}
	if quota == nil {
		quota = NewMemoryStore()
	}
	l := &Limited{next: next, provider: p.Name, daily: p.DailyQuota, monthly: p.MonthlyQuota, quota: quota, now: now}
	if p.Rate.N > 0 {
		every := time.Duration(float64(p.Rate.Per) / float64(p.Rate.N) * rateMargin)
		l.limiter = rate.NewLimiter(rate.Every(every), 1)
	}
	return l
}

var _ connector.Enricher = (*Limited)(nil)

// Name implements connector.Enricher.
func (l *Limited) Name() string { return l.next.Name() }

// Supports implements connector.Enricher.
func (l *Limited) Supports(t alert.ObservableType) bool { return l.next.Supports(t) }

// Enrich implements connector.Enricher: it waits for a rate slot (failing
// at once with ErrRateWait when none comes before ctx's deadline), takes one
// unit of the daily and monthly quota (QuotaError when spent), then calls
// the provider.
func (l *Limited) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	if err := l.take(ctx); err != nil {
		return nil, err
	}
	if l.limiter != nil {
		if err := l.limiter.Wait(ctx); err != nil {
			l.giveBack(ctx)
			return nil, fmt.Errorf("%w: %w", ErrRateWait, err)
		}
	}
	return l.next.Enrich(ctx, o)
}

func periods(t time.Time) (day, month string) {
	t = t.UTC()
	return "day:" + t.Format("2006-01-02"), "month:" + t.Format("2006-01")
}

// take reserves one request in both quotas.
func (l *Limited) take(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.sync(ctx); err != nil {
		return err
	}
	if l.daily > 0 && l.usedD >= l.daily {
		return &QuotaError{Period: "daily", Limit: l.daily}
	}
	if l.monthly > 0 && l.usedM >= l.monthly {
		return &QuotaError{Period: "monthly", Limit: l.monthly}
	}
	l.usedD++
	l.usedM++
	if _, err := l.quota.QuotaAdd(ctx, l.provider, l.day, 1); err != nil {
		return fmt.Errorf("quota %s: %w", l.provider, err)
	}
	if _, err := l.quota.QuotaAdd(ctx, l.provider, l.month, 1); err != nil {
		return fmt.Errorf("quota %s: %w", l.provider, err)
	}
	return nil
}

// giveBack returns a reservation that was never sent.
func (l *Limited) giveBack(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.usedD--
	l.usedM--
	ctx = context.WithoutCancel(ctx)
	_, _ = l.quota.QuotaAdd(ctx, l.provider, l.day, -1)
	_, _ = l.quota.QuotaAdd(ctx, l.provider, l.month, -1)
}

// sync loads the counters of the current periods; l.mu is held.
func (l *Limited) sync(ctx context.Context) error {
	day, month := periods(l.now())
	if l.loaded && day == l.day && month == l.month {
		return nil
	}
	d, err := l.quota.QuotaUsed(ctx, l.provider, day)
	if err != nil {
		return fmt.Errorf("quota %s: %w", l.provider, err)
	}
	m, err := l.quota.QuotaUsed(ctx, l.provider, month)
	if err != nil {
		return fmt.Errorf("quota %s: %w", l.provider, err)
	}
	l.day, l.month, l.usedD, l.usedM, l.loaded = day, month, d, m, true
	return nil
}

// Quota is a snapshot of a provider's quota use.
type Quota struct {
	Provider     string `json:"provider"`
	DailyUsed    int64  `json:"daily_used"`
	DailyLimit   int64  `json:"daily_limit,omitempty"`
	MonthlyUsed  int64  `json:"monthly_used"`
	MonthlyLimit int64  `json:"monthly_limit,omitempty"`
}

// Left is the number of requests left today (the tighter of the two
// quotas); -1 means unlimited.
func (q Quota) Left() int64 {
	left := int64(-1)
	if q.DailyLimit > 0 {
		left = max(q.DailyLimit-q.DailyUsed, 0)
	}
	if q.MonthlyLimit > 0 {
		m := max(q.MonthlyLimit-q.MonthlyUsed, 0)
		if left < 0 || m < left {
			left = m
		}
	}
	return left
}

// Quota reports the current use.
func (l *Limited) Quota(ctx context.Context) (Quota, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.sync(ctx); err != nil {
		return Quota{}, err
	}
	return Quota{Provider: l.provider, DailyUsed: l.usedD, DailyLimit: l.daily, MonthlyUsed: l.usedM, MonthlyLimit: l.monthly}, nil
}
