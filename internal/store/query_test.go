package store

import (
	"bufio"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

type querySeed struct {
	raw    string
	wantOK bool
}

func querySeeds(tb testing.TB) []querySeed {
	tb.Helper()
	f, err := os.Open("testdata/queries.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var seeds []querySeed
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, raw, _ := strings.Cut(line, " ")
		seeds = append(seeds, querySeed{raw: raw, wantOK: kind == "ok"})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return seeds
}

func TestParseQuery(t *testing.T) {
	for _, s := range querySeeds(t) {
		t.Run(s.raw, func(t *testing.T) {
			v, err := url.ParseQuery(s.raw)
			if err != nil {
				t.Fatal(err)
			}
			q, err := ParseQuery(v)
			if s.wantOK && err != nil {
				t.Fatalf("err = %v", err)
			}
			if !s.wantOK && !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if s.wantOK && q.Tenant != "acme" {
				t.Errorf("tenant %q", q.Tenant)
			}
		})
	}
	q, err := ParseQuery(url.Values{"tenant": {"acme"}, "entity": {"src_ip:::ffff:10.0.0.1"}, "from": {"2026-11-01T01:00:00+01:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Entity != (EntityKey{KindSrcIP, "10.0.0.1"}) || !q.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("parsed %+v", q)
	}
}

func TestCursor(t *testing.T) {
	for _, c := range []Cursor{{0, 0}, {1762000000000000000, 42}, {-5, 1}} {
		got, err := ParseCursor(c.String())
		if err != nil || got != c {
			t.Errorf("round trip of %+v: %+v, %v", c, got, err)
		}
	}
}

// FuzzParseQuery checks that decoding never panics, that an accepted query
// validates and needs a tenant, and that its cursor round-trips.
func FuzzParseQuery(f *testing.F) {
	for _, s := range querySeeds(f) {
		f.Add(s.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := ParseQuery(v)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		if err := q.Validate(); err != nil || q.Tenant == "" {
			t.Fatalf("accepted query does not validate: %+v: %v", q, err)
		}
		if q.After != "" {
			c, err := ParseCursor(q.After)
			if err != nil {
				t.Fatal(err)
			}
			if c2, err := ParseCursor(c.String()); err != nil || c2 != c {
				t.Fatalf("cursor %q does not round-trip", q.After)
			}
		}
	})
}
