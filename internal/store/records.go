package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// PutFeedback implements Store.
func (s *SQLite) PutFeedback(ctx context.Context, f Feedback) (Feedback, error) {
	if f.Tenant == "" || f.AlertID == "" {
		return Feedback{}, fmt.Errorf("put feedback: %w: tenant and alert ID are required", ErrInvalid)
	}
	if f.Time.IsZero() {
		f.Time = s.now()
	}
	f.Time = f.Time.UTC()
	// The alert is checked explicitly: a foreign-key failure would not say
	// which row is missing.
	err := s.w.QueryRowContext(ctx, `INSERT INTO feedback (tenant, alert_id, time, analyst, verdict, disposition, comment)
		SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM alerts WHERE tenant = ? AND alert_id = ?)
		RETURNING id`, f.Tenant, f.AlertID, nanos(f.Time), f.Analyst, string(f.Verdict), string(f.Disposition), f.Comment,
		f.Tenant, f.AlertID).Scan(&f.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Feedback{}, fmt.Errorf("put feedback on %s/%s: %w", f.Tenant, f.AlertID, ErrNotFound)
	}
	if err != nil {
		return Feedback{}, fmt.Errorf("put feedback on %s/%s: %w", f.Tenant, f.AlertID, err)
	}
	return f, nil
}

const feedbackColumns = `id, tenant, alert_id, time, analyst, verdict, disposition, comment`

// Feedback implements Store.
func (s *SQLite) Feedback(ctx context.Context, tenant, alertID string) ([]Feedback, error) {
	if tenant == "" {
		return nil, fmt.Errorf("list feedback: %w: tenant is required", ErrInvalid)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE tenant = ? AND alert_id = ? ORDER BY id`, tenant, alertID)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return collect(rows, "list feedback", scanFeedback)
}

// FeedbackSince implements Store.
func (s *SQLite) FeedbackSince(ctx context.Context, tenant string, afterID int64, limit int) ([]Feedback, error) {
	if tenant == "" {
		return nil, fmt.Errorf("list feedback: %w: tenant is required", ErrInvalid)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback
		WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?`, tenant, afterID, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return collect(rows, "list feedback", scanFeedback)
}

func scanFeedback(sc scanner) (Feedback, error) {
	var f Feedback
	var t int64
	var v, d string
	err := sc.Scan(&f.ID, &f.Tenant, &f.AlertID, &t, &f.Analyst, &v, &d, &f.Comment)
	f.Time, f.Verdict, f.Disposition = fromNanos(t), alert.Verdict(v), alert.Disposition(d)
	return f, err
}

// PutIncident implements Store.
func (s *SQLite) PutIncident(ctx context.Context, in Incident) error {
	if in.Tenant == "" || in.ID == "" {
		return fmt.Errorf("put incident: %w: tenant and ID are required", ErrInvalid)
	}
	if in.Body != nil && !json.Valid(in.Body) {
		return fmt.Errorf("put incident %s: %w: body is not JSON", in.ID, ErrInvalid)
	}
	now := s.now()
	if in.Created.IsZero() {
		in.Created = now
	}
	if in.Updated.IsZero() {
		in.Updated = now
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put incident %s: %w", in.ID, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var body any
	if in.Body != nil {
		body = string(in.Body)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO incidents (tenant, id, title, status, severity, created, updated, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, id) DO UPDATE SET title = excluded.title, status = excluded.status,
			severity = excluded.severity, updated = excluded.updated, body = excluded.body`,
		in.Tenant, in.ID, in.Title, in.Status, string(in.Severity), nanos(in.Created), nanos(in.Updated), body); err != nil {
		return fmt.Errorf("put incident %s: %w", in.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM incident_alerts WHERE tenant = ? AND incident_id = ?`, in.Tenant, in.ID); err != nil {
		return fmt.Errorf("put incident %s: %w", in.ID, err)
	}
	for _, id := range in.AlertIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_alerts (tenant, incident_id, alert_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, in.Tenant, in.ID, id); err != nil {
			return fmt.Errorf("put incident %s: link %s: %w", in.ID, id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put incident %s: %w", in.ID, err)
	}
	return nil
}

// incidentSQL selects incidents with their linked alert IDs as a sorted JSON
// array, so one query returns whole incidents.
const incidentSQL = `SELECT i.tenant, i.id, i.title, i.status, i.severity, i.created, i.updated, i.body,
	(SELECT json_group_array(alert_id) FROM (SELECT alert_id FROM incident_alerts l
		WHERE l.tenant = i.tenant AND l.incident_id = i.id ORDER BY alert_id))
	FROM incidents i`

// Incident implements Store.
func (s *SQLite) Incident(ctx context.Context, tenant, id string) (Incident, error) {
	if tenant == "" {
		return Incident{}, fmt.Errorf("incident %s: %w: tenant is required", id, ErrInvalid)
	}
	in, err := scanIncident(s.r.QueryRowContext(ctx, incidentSQL+` WHERE i.tenant = ? AND i.id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Incident{}, fmt.Errorf("incident %s/%s: %w", tenant, id, ErrNotFound)
	}
	if err != nil {
		return Incident{}, fmt.Errorf("incident %s/%s: %w", tenant, id, err)
	}
	return in, nil
}

// Incidents implements Store.
func (s *SQLite) Incidents(ctx context.Context, tenant string, limit int) ([]Incident, error) {
	if tenant == "" {
		return nil, fmt.Errorf("list incidents: %w: tenant is required", ErrInvalid)
	}
	rows, err := s.r.QueryContext(ctx, incidentSQL+` WHERE i.tenant = ? ORDER BY i.updated DESC, i.id LIMIT ?`, tenant, limitOf(limit))
	if err != nil {
		return nil, fmt.Errorf("list incidents: %w", err)
	}
	return collect(rows, "list incidents", scanIncident)
}

func scanIncident(sc scanner) (Incident, error) {
	var in Incident
	var sev, ids string
	var created, updated int64
	var body sql.NullString
	if err := sc.Scan(&in.Tenant, &in.ID, &in.Title, &in.Status, &sev, &created, &updated, &body, &ids); err != nil {
		return Incident{}, err
	}
	in.Severity, in.Created, in.Updated = alert.Severity(sev), fromNanos(created), fromNanos(updated)
	if body.Valid {
		in.Body = json.RawMessage(body.String)
	}
	if err := json.Unmarshal([]byte(ids), &in.AlertIDs); err != nil {
		return Incident{}, fmt.Errorf("decode alert IDs of %s: %w", in.ID, err)
	}
	if len(in.AlertIDs) == 0 {
		in.AlertIDs = nil
	}
	return in, nil
}

// CacheGet implements Store.
func (s *SQLite) CacheGet(ctx context.Context, provider, key string) (CacheEntry, error) {
	e := CacheEntry{Provider: provider, Key: key}
	var neg int
	var stored, expires int64
	err := s.r.QueryRowContext(ctx, `SELECT value, negative, stored_at, expires_at FROM enrichment_cache
		WHERE provider = ? AND key = ? AND expires_at > ?`, provider, key, s.now().UnixNano()).
		Scan(&e.Value, &neg, &stored, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return CacheEntry{}, fmt.Errorf("cache %s %q: %w", provider, key, ErrNotFound)
	}
	if err != nil {
		return CacheEntry{}, fmt.Errorf("cache %s %q: %w", provider, key, err)
	}
	e.Negative, e.StoredAt, e.ExpiresAt = neg != 0, fromNanos(stored), fromNanos(expires)
	return e, nil
}

// CachePut implements Store.
func (s *SQLite) CachePut(ctx context.Context, e CacheEntry) error {
	if e.Provider == "" || e.Key == "" || e.ExpiresAt.IsZero() {
		return fmt.Errorf("cache put: %w: provider, key and expiry are required", ErrInvalid)
	}
	if e.StoredAt.IsZero() {
		e.StoredAt = s.now()
	}
	neg := 0
	if e.Negative {
		neg = 1
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO enrichment_cache (provider, key, value, negative, stored_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (provider, key) DO UPDATE SET value = excluded.value, negative = excluded.negative,
			stored_at = excluded.stored_at, expires_at = excluded.expires_at`,
		e.Provider, e.Key, e.Value, neg, nanos(e.StoredAt), nanos(e.ExpiresAt)); err != nil {
		return fmt.Errorf("cache put %s %q: %w", e.Provider, e.Key, err)
	}
	return nil
}

// CachePrune implements Store.
func (s *SQLite) CachePrune(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM enrichment_cache WHERE expires_at <= ?`, now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("cache prune: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("cache prune: %w", err)
	}
	return n, nil
}

// AppendAudit implements Store. Its commits are synchronous=FULL: an audit
// record, once acknowledged, survives a power loss too.
func (s *SQLite) AppendAudit(ctx context.Context, recs ...AuditRecord) ([]AuditRecord, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	out := make([]AuditRecord, len(recs))
	now := s.now()
	for i, r := range recs {
		if r.Kind == "" || r.Tenant == AllTenants {
			return nil, fmt.Errorf("append audit: record %d: %w: a kind is required and tenant %q is reserved", i, ErrInvalid, AllTenants)
		}
		if r.Time.IsZero() {
			r.Time = now
		}
		if r.Payload == nil {
			r.Payload = []byte{}
		}
		r.Time = r.Time.UTC()
		out[i] = r
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	// The restore uses a fresh context: a cancelled ctx must not leave the
	// writer at FULL for every later batch.
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`) //nolint:errcheck // best effort
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("append audit: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	st := tx.StmtContext(ctx, s.stmts[stmtAppendAudit])
	for i := range out {
		r := &out[i]
		if err := st.QueryRowContext(ctx, r.Tenant, nanos(r.Time), r.Kind, r.Payload, r.PrevHash, r.Hash).Scan(&r.Seq); err != nil {
			return nil, fmt.Errorf("append audit: record %d: %w", i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("append audit: commit: %w", err)
	}
	return out, nil
}

// AuditRecords implements Store.
func (s *SQLite) AuditRecords(ctx context.Context, tenant string, fromSeq int64, limit int) ([]AuditRecord, error) {
	var b strings.Builder
	b.WriteString(`SELECT seq, tenant, time, kind, payload, prev_hash, hash FROM audit WHERE seq > ?`)
	args := []any{fromSeq}
	if tenant != AllTenants {
		b.WriteString(` AND tenant = ?`)
		args = append(args, tenant)
	}
	b.WriteString(` ORDER BY seq LIMIT ?`)
	args = append(args, limitOf(limit))
	rows, err := s.r.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return collect(rows, "list audit", func(sc scanner) (AuditRecord, error) {
		var r AuditRecord
		var t int64
		err := sc.Scan(&r.Seq, &r.Tenant, &t, &r.Kind, &r.Payload, &r.PrevHash, &r.Hash)
		r.Time = fromNanos(t)
		return r, err
	})
}

func collect[T any](rows *sql.Rows, op string, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}
