package enrich

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/store"
)

// FuzzParseRate holds the rate parser to its contract: an error, or a
// positive count over one of the four units.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"", "4/m", "500/s", "1000/h", "20000/d", "0/s", "-1/m", "4/w", "4", "/m", "9999999999999999999/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if r != (Rate{}) {
				t.Fatalf("ParseRate(%q) = %+v with error %v", s, r, err)
			}
			return
		}
		if s == "" {
			if r != (Rate{}) {
				t.Fatalf("empty rate = %+v", r)
			}
			return
		}
		switch r.Per {
		case time.Second, time.Minute, time.Hour, 24 * time.Hour:
		default:
			t.Fatalf("ParseRate(%q) per = %v", s, r.Per)
		}
		if r.N <= 0 || !strings.Contains(s, "/") {
			t.Fatalf("ParseRate(%q) = %+v", s, r)
		}
	})
}

// FuzzCachedEntry feeds arbitrary persisted bytes to the cache: a corrupt
// entry must be a miss (one upstream call), never a crash or a bogus hit.
func FuzzCachedEntry(f *testing.F) {
	f.Add([]byte(`[{"source":"vt","reputation":"malicious","raw":{"a":1}}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		mem := NewMemoryStore()
		ctx := context.Background()
		_ = mem.CachePut(ctx, store.CacheEntry{Provider: "vt", Key: "ipv4:203.0.113.9", Value: b, ExpiresAt: time.Now().Add(time.Hour)})
		fk := &fake{name: "vt"}
		c := NewCached(fk, "vt", mem, CacheOptions{})
		fs, hit, err := c.Lookup(ctx, alert.Observable{Type: alert.IPv4, Value: "203.0.113.9"})
		if err != nil {
			t.Fatal(err)
		}
		if hit == (fk.calls.Load() == 1) {
			t.Fatalf("hit = %v with %d upstream calls", hit, fk.calls.Load())
		}
		if !hit && (len(fs) != 1 || fs[0].Source != "vt") {
			t.Fatalf("miss answered %+v", fs)
		}
	})
}
