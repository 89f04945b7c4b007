package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// QuotaAdd adds n (which may be negative, to return an unused
// reservation) to the counter of provider in period and returns its new
// value. Periods are opaque keys chosen by the caller ("day:2026-11-23").
func (s *SQLite) QuotaAdd(ctx context.Context, provider, period string, n int64) (int64, error) {
	if provider == "" || period == "" {
		return 0, fmt.Errorf("quota add: %w: provider and period are required", ErrInvalid)
	}
	var used int64
	err := s.w.QueryRowContext(ctx, `INSERT INTO enrichment_quota (provider, period, used) VALUES (?, ?, ?)
		ON CONFLICT (provider, period) DO UPDATE SET used = used + excluded.used
		RETURNING used`, provider, period, n).Scan(&used)
	if err != nil {
		return 0, fmt.Errorf("quota add %s %s: %w", provider, period, err)
	}
	return used, nil
}

// QuotaUsed returns the counter of provider in period, zero when unset.
func (s *SQLite) QuotaUsed(ctx context.Context, provider, period string) (int64, error) {
	var used int64
	err := s.r.QueryRowContext(ctx, `SELECT used FROM enrichment_quota WHERE provider = ? AND period = ?`,
		provider, period).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("quota %s %s: %w", provider, period, err)
	}
	return used, nil
}
