package enrich

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fake is a scripted connector.Enricher.
type fake struct {
	name  string
	calls atomic.Int64
	gate  chan struct{} // when set, Enrich waits for it
	fn    func(n int64, o alert.Observable) ([]alert.Finding, error)
}

func (f *fake) Name() string                         { return f.name }
func (f *fake) Supports(t alert.ObservableType) bool { return t != alert.CVE }
func (f *fake) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	n := f.calls.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.fn == nil {
		return []alert.Finding{{Source: f.name, Reputation: alert.Malicious, Raw: []byte(`{"v":1}`)}}, nil
	}
	return f.fn(n, o)
}

var ip = alert.Observable{Type: alert.IPv4, Value: "203.0.113.9", Class: "public"}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCoalescing(t *testing.T) {
	f := &fake{name: "vt", gate: make(chan struct{})}
	p := Govern(f, Policy{Name: "vt"}, Stores{}, nil)
	const n = 50
	var wg sync.WaitGroup
	results := make([][]alert.Finding, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = p.Lookup(context.Background(), ip)
		}()
	}
	for f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others join the flight
	close(f.gate)
	wg.Wait()
	if got := f.calls.Load(); got != 1 {
		t.Errorf("upstream calls = %d, want 1 for %d concurrent lookups", got, n)
	}
	for i, r := range results {
		if len(r) != 1 || r[0].Reputation != alert.Malicious {
			t.Fatalf("lookup %d = %+v, want the shared answer", i, r)
		}
	}
}

func TestCacheTTL(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	verdicts := map[string]alert.Reputation{"198.51.100.1": alert.Malicious, "198.51.100.2": alert.Benign}
	f := &fake{name: "vt", fn: func(_ int64, o alert.Observable) ([]alert.Finding, error) {
		if r, ok := verdicts[o.Value]; ok {
			return []alert.Finding{{Source: "vt", Reputation: r}}, nil
		}
		return nil, nil // not found
	}}
	mem := NewMemoryStore()
	mem.Now = clk.now
	ttl := TTL{Malicious: 24 * time.Hour, Benign: 7 * 24 * time.Hour, NotFound: 6 * time.Hour}
	p := Govern(f, Policy{Name: "vt", TTL: ttl}, Stores{Cache: mem}, clk.now)
	tests := []struct {
		value   string
		expires time.Duration
	}{
		{"198.51.100.1", 24 * time.Hour},
		{"198.51.100.2", 7 * 24 * time.Hour},
		{"198.51.100.3", 6 * time.Hour}, // negative cache
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			o := alert.Observable{Type: alert.IPv4, Value: tt.value}
			start := clk.now()
			before := f.calls.Load()
			lookup := func() { _, _ = p.Lookup(context.Background(), o) }
			lookup()
			clk.add(tt.expires - time.Minute)
			lookup()
			if got := f.calls.Load() - before; got != 1 {
				t.Errorf("calls within the TTL = %d, want 1", got)
			}
			clk.add(2 * time.Minute)
			lookup()
			if got := f.calls.Load() - before; got != 2 {
				t.Errorf("calls after the TTL = %d, want 2", got)
			}
			e, err := mem.CacheGet(context.Background(), "vt", "ipv4:"+tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if want := start.Add(tt.expires + time.Minute).Add(tt.expires); !e.ExpiresAt.Equal(want) {
				t.Errorf("persisted expiry = %v, want %v", e.ExpiresAt, want)
			}
			if e.Negative != (tt.expires == 6*time.Hour) {
				t.Errorf("negative = %v", e.Negative)
			}
		})
	}
	// A second governor over the same store (a restart) answers from it.
	f2 := &fake{name: "vt"}
	p2 := Govern(f2, Policy{Name: "vt", TTL: ttl}, Stores{Cache: mem}, clk.now)
	fs, err := p2.Lookup(context.Background(), alert.Observable{Type: alert.IPv4, Value: "198.51.100.2"})
	if err != nil || len(fs) != 1 || fs[0].Reputation != alert.Benign || f2.calls.Load() != 0 {
		t.Errorf("after restart: %+v, %v, %d upstream calls; want the persisted answer", fs, err, f2.calls.Load())
	}
}

func TestErrorsNotCached(t *testing.T) {
	f := &fake{name: "vt", fn: func(n int64, _ alert.Observable) ([]alert.Finding, error) {
		if n == 1 {
			return nil, connector.Errorf(connector.Permanent, "bad body")
		}
		return []alert.Finding{{Source: "vt", Reputation: alert.Benign}}, nil
	}}
	p := Govern(f, Policy{Name: "vt"}, Stores{}, nil)
	if _, err := p.Lookup(context.Background(), ip); connector.KindOf(err) != connector.Permanent {
		t.Fatalf("first lookup err = %v, want permanent", err)
	}
	if fs, err := p.Lookup(context.Background(), ip); err != nil || len(fs) != 1 {
		t.Fatalf("second lookup = %+v, %v; the error must not have been cached", fs, err)
	}
}

func TestQuotaPersists(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	mem := NewMemoryStore()
	pol := Policy{Name: "vt", DailyQuota: 3, MonthlyQuota: 4}
	lookups := func(p *Provider, n int) (errs []error) {
		for i := range n {
			_, err := p.Lookup(context.Background(), alert.Observable{Type: alert.IPv4, Value: "192.0.2." + string(rune('a'+i))})
			errs = append(errs, err)
		}
		return errs
	}
	f := &fake{name: "vt"}
	errs := lookups(Govern(f, pol, Stores{Quota: mem}, clk.now), 2)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("within quota: %v", errs)
	}
	// Restart: one left today.
	f2 := &fake{name: "vt"}
	p2 := Govern(f2, pol, Stores{Quota: mem}, clk.now)
	errs = lookups(p2, 2)
	var qe *QuotaError
	if errs[0] != nil || !errors.As(errs[1], &qe) || qe.Period != "daily" || f2.calls.Load() != 1 {
		t.Fatalf("after restart: %v (%d calls), want one call then the daily quota", errs, f2.calls.Load())
	}
	if n := note("vt", errs[1]); n != "vt: daily quota (3) spent; cache only" {
		t.Errorf("note = %q", n)
	}
	clk.add(24 * time.Hour) // a new day, same month: 1 left this month
	errs = lookups(p2, 2)
	if errs[0] != nil || !errors.As(errs[1], &qe) || qe.Period != "monthly" {
		t.Fatalf("next day: %v, want one call then the monthly quota", errs)
	}
	q, _ := p2.Quota(context.Background())
	if q.DailyUsed != 1 || q.MonthlyUsed != 4 || q.Left() != 0 {
		t.Errorf("quota = %+v left %d", q, q.Left())
	}
}

func TestGuard(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		retries   int
		wantCalls int64
		wantKind  string
	}{
		{"retryable is retried", connector.Errorf(connector.Retryable, "502"), 2, 3, "retryable"},
		{"permanent is not", connector.Errorf(connector.Permanent, "garbage"), 2, 1, "permanent"},
		{"unauthorized is not", connector.Errorf(connector.Unauthorized, "401"), 2, 1, "unauthorized"},
		{"short retry-after is honoured", &connector.Error{Kind: connector.RateLimited, RetryAfter: 10 * time.Millisecond, Err: errors.New("429")}, 1, 2, "rate_limited"},
		{"long retry-after degrades", &connector.Error{Kind: connector.RateLimited, RetryAfter: time.Hour, Err: errors.New("429")}, 3, 1, "rate_limited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{name: "vt", fn: func(int64, alert.Observable) ([]alert.Finding, error) { return nil, tt.err }}
			g := NewGuarded(f, &Policy{Name: "vt", Retries: tt.retries})
			g.base = time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := g.Enrich(ctx, ip)
			if f.calls.Load() != tt.wantCalls || errorKind(err) != tt.wantKind {
				t.Errorf("calls = %d err = %v (%s); want %d calls, %s", f.calls.Load(), err, errorKind(err), tt.wantCalls, tt.wantKind)
			}
		})
	}
}

func TestBreaker(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	f := &fake{name: "vt", fn: func(int64, alert.Observable) ([]alert.Finding, error) {
		if fail.Load() {
			return nil, connector.Errorf(connector.Retryable, "503")
		}
		return nil, nil
	}}
	g := NewGuarded(f, &Policy{Name: "vt", BreakerFailures: 3, BreakerCooldown: 30 * time.Millisecond})
	for range 3 {
		_, _ = g.Enrich(context.Background(), ip)
	}
	if g.State() != "open" {
		t.Fatalf("state after 3 failures = %s, want open", g.State())
	}
	if _, err := g.Enrich(context.Background(), ip); !errors.Is(err, ErrBreakerOpen) || f.calls.Load() != 3 {
		t.Fatalf("open breaker: err %v, %d calls; want ErrBreakerOpen without a call", err, f.calls.Load())
	}
	time.Sleep(40 * time.Millisecond)
	if g.State() != "half-open" {
		t.Fatalf("state after the cooldown = %s, want half-open", g.State())
	}
	fail.Store(false)
	if _, err := g.Enrich(context.Background(), ip); err != nil || g.State() != "closed" {
		t.Errorf("probe: %v, state %s; want success and closed", err, g.State())
	}
}

func TestDeadline(t *testing.T) {
	slow := &fake{name: "slow", gate: make(chan struct{})}
	fast := &fake{name: "fast"}
	on := NewOnline([]*Provider{
		Govern(slow, Policy{Name: "slow", Reliability: "A"}, Stores{}, nil),
		Govern(fast, Policy{Name: "fast", Reliability: "B"}, Stores{}, nil),
	}, 30*time.Millisecond, 0)
	obs := []alert.Observable{ip}
	rep := on.Enrich(context.Background(), obs)
	if !rep.Missing || len(rep.Notes) != 1 || rep.Notes[0] != "slow: lookup failed (timeout); evidence missing" {
		t.Errorf("report = %+v, want the slow provider named", rep)
	}
	if len(obs[0].Findings) != 1 || obs[0].Findings[0].Source != "fast" || obs[0].Findings[0].Raw != nil || obs[0].Findings[0].Reliability != "B" {
		t.Errorf("findings = %+v, want the fast provider's, raw stripped, reliability stamped", obs[0].Findings)
	}
}

func TestMergeOrder(t *testing.T) {
	mk := func(name, rel string) *Provider {
		return Govern(&fake{name: name}, Policy{Name: name, Reliability: rel}, Stores{}, nil)
	}
	want := "a-src,b-src,z-src,c-src"
	for i := range 20 { // the fan-out is concurrent; the merge must not be
		on := NewOnline([]*Provider{mk("c-src", ""), mk("z-src", "B"), mk("b-src", "B"), mk("a-src", "A")}, time.Second, 4)
		obs := []alert.Observable{ip, {Type: alert.IPv4, Value: "10.0.0.1", Class: "private"}, {Type: alert.CVE, Value: "CVE-2024-1"}}
		on.Enrich(context.Background(), obs)
		var got []string
		for _, f := range obs[0].Findings {
			got = append(got, f.Source)
		}
		if strings.Join(got, ",") != want {
			t.Fatalf("run %d: order %v, want %s", i, got, want)
		}
		if len(obs[1].Findings)+len(obs[2].Findings) != 0 {
			t.Fatalf("private or unsupported observable looked up: %+v", obs[1:])
		}
	}
}

func TestRelations(t *testing.T) {
	obs := []alert.Observable{
		{Type: alert.URL, Value: "http://user@evil.example:8080/x?y"},
		{Type: alert.URL, Value: "https://198.51.100.7/p"},
		{Type: alert.IPv4, Value: "198.51.100.7", Findings: []alert.Finding{{Source: "asn", Reputation: alert.Context, Categories: []string{"asn"}, Detail: "AS64500 Example Net"}}},
	}
	got := Relations(obs)
	want := []alert.Relation{
		{From: "ipv4:198.51.100.7", To: "asn:AS64500", Kind: "belongs_to", Source: "asn"},
		{From: "url:http://user@evil.example:8080/x?y", To: "domain:evil.example", Kind: "hosted_on", Source: "url"},
		{From: "url:https://198.51.100.7/p", To: "ipv4:198.51.100.7", Kind: "hosted_on", Source: "url"},
	}
	if len(got) != len(want) {
		t.Fatalf("relations = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("relation %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
