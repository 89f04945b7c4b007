package store

import (
	"context"
	"errors"
	"testing"
)

func TestQuota(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	steps := []struct {
		provider, period string
		n, want          int64
	}{
		{"vt", "day:2026-11-23", 1, 1},
		{"vt", "day:2026-11-23", 2, 3},
		{"vt", "day:2026-11-23", -1, 2},
		{"vt", "month:2026-11", 5, 5},
		{"abuseipdb", "day:2026-11-23", 1, 1},
	}
	for _, st := range steps {
		got, err := s.QuotaAdd(ctx, st.provider, st.period, st.n)
		if err != nil || got != st.want {
			t.Fatalf("QuotaAdd(%s, %s, %d) = %d, %v; want %d", st.provider, st.period, st.n, got, err, st.want)
		}
	}
	if _, err := s.QuotaAdd(ctx, "", "day:x", 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty provider: %v, want ErrInvalid", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The counters survive a reopen.
	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, tc := range []struct {
		provider, period string
		want             int64
	}{{"vt", "day:2026-11-23", 2}, {"vt", "month:2026-11", 5}, {"abuseipdb", "day:2026-11-23", 1}, {"vt", "day:2026-11-24", 0}} {
		got, err := s2.QuotaUsed(ctx, tc.provider, tc.period)
		if err != nil || got != tc.want {
			t.Errorf("after reopen QuotaUsed(%s, %s) = %d, %v; want %d", tc.provider, tc.period, got, err, tc.want)
		}
	}
}
