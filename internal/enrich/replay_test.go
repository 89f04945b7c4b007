package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/store"
)

// httpProvider is a minimal connector speaking a loopback test protocol:
// GET /v1/lookup?type=T&value=V answers {"verdict": "..."}, 404 for
// unknown, 429 with Retry-After, 5xx, or garbage.
type httpProvider struct {
	name, base string
	client     *http.Client
}

func (h *httpProvider) Name() string                         { return h.name }
func (h *httpProvider) Supports(t alert.ObservableType) bool { return true }
func (h *httpProvider) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	q := url.Values{"type": {string(o.Type)}, "value": {o.Value}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"/v1/lookup?"+q.Encode(), nil)
	if err != nil {
		return nil, connector.Errorf(connector.Permanent, "build request: %w", err)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, connector.Errorf(connector.Retryable, "lookup: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		s, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, &connector.Error{Kind: connector.RateLimited, RetryAfter: time.Duration(s) * time.Second, Err: fmt.Errorf("429")}
	case resp.StatusCode >= 500:
		return nil, connector.Errorf(connector.Retryable, "status %d", resp.StatusCode)
	}
	var body struct {
		Verdict string `json:"verdict"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, connector.Errorf(connector.Permanent, "decode response: %w", err)
	}
	return []alert.Finding{{Source: h.name, Reputation: alert.Reputation(body.Verdict), Raw: json.RawMessage(`{"verdict":"` + body.Verdict + `"}`)}}, nil
}

// recorder is a loopback provider that notes when each request arrived.
type recorder struct {
	mu    sync.Mutex
	times []time.Time
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.times = append(r.times, time.Now())
	r.mu.Unlock()
	v := req.URL.Query().Get("value")
	switch len(v) % 4 {
	case 0:
		w.WriteHeader(http.StatusNotFound)
	case 1:
		fmt.Fprint(w, `{"verdict":"malicious"}`)
	default:
		fmt.Fprint(w, `{"verdict":"benign"}`)
	}
}

// maxInWindow is the most requests that arrived in any window [t, t+per).
func (r *recorder) maxInWindow(per time.Duration) int {
	r.mu.Lock()
	ts := append([]time.Time(nil), r.times...)
	r.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Sub(ts[i]) < per {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

// TestReplay sends 10,000 synthetic alerts with Zipf-distributed
// observables through online enrichment against two loopback providers
// with a configured rate and daily quota, over a real SQLite store, and
// checks at the servers that neither budget was ever exceeded.
func TestReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("replay of 10,000 alerts")
	}
	ctx := context.Background()
	db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "winnow.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type prov struct {
		policy Policy
		rec    *recorder
		srv    *httptest.Server
	}
	provs := []*prov{
		{policy: Policy{Name: "alpha", Reliability: "B", Rate: Rate{N: 200, Per: time.Second}, DailyQuota: 600}},
		{policy: Policy{Name: "beta", Reliability: "C", Rate: Rate{N: 50, Per: time.Second}, DailyQuota: 120}},
	}
	var governed []*Provider
	for _, p := range provs {
		p.rec = &recorder{}
		p.srv = httptest.NewServer(p.rec)
		defer p.srv.Close()
		c := &httpProvider{name: p.policy.Name, base: p.srv.URL, client: p.srv.Client()}
		governed = append(governed, Govern(c, p.policy, Stores{Cache: db, Quota: db}, nil))
	}
	on := NewOnline(governed, DefaultDeadline, 4)

	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.2, 1, 2999)
	alerts := make([][]alert.Observable, 10_000)
	for i := range alerts {
		for range 1 + rng.IntN(3) {
			n := zipf.Uint64()
			o := alert.Observable{Type: alert.IPv4, Value: fmt.Sprintf("198.%d.%d.%d", 18+n/65536, n/256%256, n%256), Class: "public"}
			if n%3 == 0 {
				o = alert.Observable{Type: alert.Domain, Value: fmt.Sprintf("host%d.example", n)}
			}
			alerts[i] = append(alerts[i], o)
		}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	degraded := 0
	for range 8 { // Prepare runs on every core
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if rep := on.Enrich(ctx, alerts[i]); rep.Missing {
					mu.Lock()
					degraded++
					mu.Unlock()
				}
			}
		}()
	}
	for i := range alerts {
		work <- i
	}
	close(work)
	wg.Wait()

	for i, p := range provs {
		m := governed[i].Metrics(ctx)
		calls := len(p.rec.times)
		t.Logf("%s: %d lookups, %d cache hits (%.1f%%), %d upstream requests, errors %v, quota left %d",
			p.policy.Name, m.Lookups, m.CacheHits, 100*float64(m.CacheHits)/float64(m.Lookups), calls, m.Errors, m.QuotaLeft)
		if int64(calls) > p.policy.DailyQuota {
			t.Errorf("%s: %d requests exceed the daily quota %d", p.policy.Name, calls, p.policy.DailyQuota)
		}
		if w := p.rec.maxInWindow(p.policy.Rate.Per); w > p.policy.Rate.N {
			t.Errorf("%s: %d requests in one %v window, rate is %d", p.policy.Name, w, p.policy.Rate.Per, p.policy.Rate.N)
		}
		if m.CacheHits == 0 || calls == 0 {
			t.Errorf("%s: %d hits, %d calls: the replay exercised nothing", p.policy.Name, m.CacheHits, calls)
		}
		used, err := db.QuotaUsed(ctx, p.policy.Name, "day:"+time.Now().UTC().Format("2006-01-02"))
		if err != nil || used != int64(calls) {
			t.Errorf("%s: persisted quota %d (%v), server saw %d", p.policy.Name, used, err, calls)
		}
	}
	t.Logf("alerts with evidence missing: %d of %d", degraded, len(alerts))
	if degraded == 0 {
		t.Error("beta's quota is below the distinct observables: some alerts must report missing evidence")
	}
}

func BenchmarkCacheHit(b *testing.B) {
	p := Govern(&fake{name: "vt"}, Policy{Name: "vt"}, Stores{Cache: NewMemoryStore()}, nil)
	ctx := context.Background()
	if _, err := p.Lookup(ctx, ip); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Lookup(ctx, ip); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOnlineCached(b *testing.B) {
	on := NewOnline([]*Provider{Govern(&fake{name: "vt"}, Policy{Name: "vt", Reliability: "B"}, Stores{}, nil)}, 0, 0)
	ctx := context.Background()
	obs := []alert.Observable{ip}
	on.Enrich(ctx, obs)
	b.ReportAllocs()
	for b.Loop() {
		obs[0].Findings = obs[0].Findings[:0]
		on.Enrich(ctx, obs)
	}
}
