package enrich

import (
	"sync"
	"time"

	"github.com/winnow-soc/winnow/connector"
)

// LatencyBuckets are the upper bounds of the latency histogram; the last
// bucket counts everything slower.
var LatencyBuckets = []time.Duration{time.Millisecond, 5 * time.Millisecond, 25 * time.Millisecond,
	100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}

// Metrics counts one provider's lookups. It is safe for concurrent use.
type Metrics struct {
	mu sync.Mutex
	s  MetricsSnapshot
}

// MetricsSnapshot is a plain copy of a provider's counters.
type MetricsSnapshot struct {
	Provider  string           `json:"provider"`
	Lookups   int64            `json:"lookups"`
	CacheHits int64            `json:"cache_hits"`
	Upstream  int64            `json:"upstream"`
	Errors    map[string]int64 `json:"errors,omitempty"` // by kind
	// Latency counts upstream lookups per LatencyBuckets bound, plus one
	// overflow bucket.
	Latency   []int64 `json:"latency"`
	QuotaLeft int64   `json:"quota_left"` // -1: unlimited
}

func newMetrics(provider string) *Metrics {
	return &Metrics{s: MetricsSnapshot{Provider: provider, Errors: map[string]int64{},
		Latency: make([]int64, len(LatencyBuckets)+1), QuotaLeft: -1}}
}

func (m *Metrics) observe(hit bool, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.Lookups++
	if hit {
		m.s.CacheHits++
		return
	}
	m.s.Upstream++
	i := 0
	for i < len(LatencyBuckets) && d > LatencyBuckets[i] {
		i++
	}
	m.s.Latency[i]++
	if err != nil {
		m.s.Errors[errorKind(err)]++
	}
}

func (m *Metrics) setQuotaLeft(n int64) {
	m.mu.Lock()
	m.s.QuotaLeft = n
	m.mu.Unlock()
}

// Snapshot copies the counters.
func (m *Metrics) Snapshot() MetricsSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.s
	s.Errors = make(map[string]int64, len(m.s.Errors))
	for k, v := range m.s.Errors {
		s.Errors[k] = v
	}
	s.Latency = append([]int64(nil), m.s.Latency...)
	return s
}

// errorKind names a failure for metrics and notes.
func errorKind(err error) string {
	switch {
	case isQuota(err):
		return "quota"
	case isRateWait(err):
		return "rate"
	case isBreaker(err):
		return "circuit_open"
	case isTimeout(err):
		return "timeout"
	}
	return connector.KindOf(err).String()
}
