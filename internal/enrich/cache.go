package enrich

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/store"
)

// CacheStore is the persistent side of the enrichment cache; *store.SQLite
// and *MemoryStore implement it. CacheGet returns an error wrapping
// store.ErrNotFound for an absent or expired entry.
type CacheStore interface {
	CacheGet(ctx context.Context, provider, key string) (store.CacheEntry, error)
	CachePut(ctx context.Context, e store.CacheEntry) error
}

// DefaultFrontSize bounds the in-memory front of each provider's cache.
const DefaultFrontSize = 50_000

// Cached is the caching layer of one provider: an in-memory TTL front over
// the persistent store, with concurrent lookups of one observable coalesced
// into one upstream call. Errors are never cached; "not found" is, for the
// policy's NotFound TTL. Cached answers keep the provider's raw payload.
type Cached struct {
	next     connector.Enricher
	provider string
	persist  CacheStore
	ttl      TTL
	now      func() time.Time
	group    singleflight.Group

	mu    sync.RWMutex
	front map[string]frontEntry
	max   int
}

type frontEntry struct {
	findings []alert.Finding
	expires  time.Time
}

// CacheOptions tune a Cached layer; zero values take the defaults.
type CacheOptions struct {
	TTL       TTL
	FrontSize int
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// NewCached wraps next with the cache; persist may be nil (memory only).
// The cache key is provider + type + value.
func NewCached(next connector.Enricher, provider string, persist CacheStore, opts CacheOptions) *Cached {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FrontSize <= 0 {
		opts.FrontSize = DefaultFrontSize
	}
	return &Cached{next: next, provider: provider, persist: persist, ttl: opts.TTL.withDefaults(),
		now: opts.Now, front: map[string]frontEntry{}, max: opts.FrontSize}
}

var _ connector.Enricher = (*Cached)(nil)

// Name implements connector.Enricher.
func (c *Cached) Name() string { return c.next.Name() }

// Supports implements connector.Enricher.
func (c *Cached) Supports(t alert.ObservableType) bool { return c.next.Supports(t) }

// Enrich implements connector.Enricher. The returned slice is shared with
// the cache: callers must copy before modifying it.
func (c *Cached) Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error) {
	fs, _, err := c.Lookup(ctx, o)
	return fs, err
}

// Lookup is Enrich that also reports whether the answer came from the cache.
func (c *Cached) Lookup(ctx context.Context, o alert.Observable) (_ []alert.Finding, hit bool, err error) {
	key := cacheKey(o)
	now := c.now()
	c.mu.RLock()
	e, ok := c.front[key]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.findings, true, nil
	}
	if c.persist != nil {
		if fs, exp, ok := c.fromStore(ctx, key, now); ok {
			c.remember(key, fs, exp)
			return fs, true, nil
		}
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		fs, err := c.next.Enrich(ctx, o)
		if err != nil {
			return nil, err
		}
		c.store(ctx, key, fs)
		return fs, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.([]alert.Finding), false, nil
}

func cacheKey(o alert.Observable) string { return string(o.Type) + ":" + o.Value }

func (c *Cached) fromStore(ctx context.Context, key string, now time.Time) ([]alert.Finding, time.Time, bool) {
	ce, err := c.persist.CacheGet(ctx, c.provider, key)
	if err != nil || !now.Before(ce.ExpiresAt) {
		return nil, time.Time{}, false
	}
	if ce.Negative {
		return nil, ce.ExpiresAt, true
	}
	var fs []alert.Finding
	if err := json.Unmarshal(ce.Value, &fs); err != nil {
		return nil, time.Time{}, false // a corrupt entry is a miss, then overwritten
	}
	return fs, ce.ExpiresAt, true
}

// store keeps an answer in both tiers. A failed persistent write only
// costs a later upstream call, so it is not the lookup's error.
func (c *Cached) store(ctx context.Context, key string, fs []alert.Finding) {
	now := c.now()
	exp := now.Add(c.ttl.For(fs))
	c.remember(key, fs, exp)
	if c.persist == nil {
		return
	}
	e := store.CacheEntry{Provider: c.provider, Key: key, Negative: len(fs) == 0, StoredAt: now, ExpiresAt: exp}
	if len(fs) > 0 {
		b, err := json.Marshal(fs)
		if err != nil {
			return
		}
		e.Value = b
	}
	_ = c.persist.CachePut(context.WithoutCancel(ctx), e)
}

// remember puts an entry in the front, evicting expired entries first and
// then arbitrary ones (Go's map order) when the front is full.
func (c *Cached) remember(key string, fs []alert.Finding, exp time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.front) >= c.max {
		now := c.now()
		for k, e := range c.front {
			if !now.Before(e.expires) {
				delete(c.front, k)
			}
		}
		for k := range c.front {
			if len(c.front) < c.max {
				break
			}
			delete(c.front, k)
		}
	}
	c.front[key] = frontEntry{findings: fs, expires: exp}
}

// MemoryStore is an in-process CacheStore and QuotaStore, for runs without
// a database and for tests. It is safe for concurrent use.
type MemoryStore struct {
	mu     sync.Mutex
	cache  map[[2]string]store.CacheEntry
	quota  map[[2]string]int64
	Now    func() time.Time
	Writes int
}

// NewMemoryStore returns an empty store on the real clock.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{cache: map[[2]string]store.CacheEntry{}, quota: map[[2]string]int64{}, Now: time.Now}
}

// CacheGet implements CacheStore.
func (m *MemoryStore) CacheGet(_ context.Context, provider, key string) (store.CacheEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.cache[[2]string{provider, key}]
	if !ok || !m.Now().Before(e.ExpiresAt) {
		return store.CacheEntry{}, fmt.Errorf("cache %s %q: %w", provider, key, store.ErrNotFound)
	}
	return e, nil
}

// CachePut implements CacheStore.
func (m *MemoryStore) CachePut(_ context.Context, e store.CacheEntry) error {
	if e.Provider == "" || e.Key == "" || e.ExpiresAt.IsZero() {
		return fmt.Errorf("cache put: %w", store.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cache[[2]string{e.Provider, e.Key}] = e
	m.Writes++
	return nil
}

// QuotaAdd implements QuotaStore.
func (m *MemoryStore) QuotaAdd(_ context.Context, provider, period string, n int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{provider, period}
	m.quota[k] += n
	return m.quota[k], nil
}

// QuotaUsed implements QuotaStore.
func (m *MemoryStore) QuotaUsed(_ context.Context, provider, period string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.quota[[2]string{provider, period}], nil
}
