package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Statements prepared once on the writer connection.
const (
	stmtSaveAlert = `INSERT INTO alerts (tenant, alert_id, time, received_at, decided_at, source,
		disposition, verdict, priority, score, alert, decision)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (tenant, alert_id) DO UPDATE SET
		decided_at = excluded.decided_at, disposition = excluded.disposition,
		verdict = excluded.verdict, priority = excluded.priority,
		score = excluded.score, decision = excluded.decision
	RETURNING seq, time`
	stmtAppendAudit = `INSERT INTO audit (tenant, time, kind, payload, prev_hash, hash)
	VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`
)

// entityChunk is how many entity rows one INSERT carries: one statement per
// row costs more in the driver than in SQLite, and an alert has about a dozen.
const entityChunk = 128

// saveEntitiesSQL inserts n entity rows.
func saveEntitiesSQL(n int) string {
	return `INSERT INTO entities (tenant, kind, value, time, seq) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", n), ", ") + ` ON CONFLICT DO NOTHING`
}

var stmtSaveEntities = saveEntitiesSQL(entityChunk)

func (s *SQLite) prepare(ctx context.Context) error {
	s.stmts = map[string]*sql.Stmt{}
	for _, q := range []string{stmtSaveAlert, stmtSaveEntities, stmtAppendAudit} {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %.40q: %w", q, err)
		}
		s.stmts[q] = st
	}
	return nil
}

// SaveBatch implements Store.
func (s *SQLite) SaveBatch(ctx context.Context, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	for i := range items {
		if err := checkItem(&items[i]); err != nil {
			return fmt.Errorf("save batch: item %d: %w", i, err)
		}
	}
	now := s.now()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save batch: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	saveAlert := tx.StmtContext(ctx, s.stmts[stmtSaveAlert])
	var ents []any // entity rows, five values each, written after the alerts
	for i := range items {
		it := &items[i]
		a, d := &it.Alert, &it.Decision
		ab, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("save batch: encode alert %s: %w", a.ID, err)
		}
		db, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("save batch: encode decision %s: %w", a.ID, err)
		}
		recv := it.ReceivedAt
		if recv.IsZero() {
			recv = now
		}
		at := a.Time
		if at.IsZero() {
			at = recv
		}
		// The JSON is bound as text: a BLOB would read as JSONB to SQLite's
		// json_* functions, which later stages may use in queries.
		var seq, t int64
		if err := saveAlert.QueryRowContext(ctx, a.Tenant, a.ID, nanos(at), nanos(recv), nanos(now), a.Source,
			string(d.Disposition), string(d.Verdict), string(d.Priority), d.Score, string(ab), string(db)).Scan(&seq, &t); err != nil {
			return fmt.Errorf("save batch: alert %s: %w", a.ID, err)
		}
		// t is the stored time: a re-saved alert keeps its first one, so its
		// entity rows stay consistent with the alerts row.
		for _, e := range Entities(a, d) {
			ents = append(ents, a.Tenant, e.Kind, e.Value, t, seq)
		}
	}
	full := tx.StmtContext(ctx, s.stmts[stmtSaveEntities])
	for len(ents) > 0 {
		var err error
		if n := min(len(ents), 5*entityChunk); n == 5*entityChunk {
			_, err = full.ExecContext(ctx, ents[:n]...)
			ents = ents[n:]
		} else {
			_, err = tx.ExecContext(ctx, saveEntitiesSQL(n/5), ents...)
			ents = nil
		}
		if err != nil {
			return fmt.Errorf("save batch: entities: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save batch: commit: %w", err)
	}
	return nil
}

func checkItem(it *Item) error {
	a, d := &it.Alert, &it.Decision
	switch {
	case a.Tenant == "":
		return fmt.Errorf("%w: alert %q has no tenant", ErrInvalid, a.ID)
	case a.ID == "":
		return fmt.Errorf("%w: alert has no ID", ErrInvalid)
	case d.AlertID != "" && d.AlertID != a.ID:
		return fmt.Errorf("%w: decision for %q given with alert %q", ErrInvalid, d.AlertID, a.ID)
	case d.Tenant != "" && d.Tenant != a.Tenant:
		return fmt.Errorf("%w: decision of tenant %q given with alert of tenant %q", ErrInvalid, d.Tenant, a.Tenant)
	}
	return nil
}

const recordColumns = `a.seq, a.time, a.received_at, a.alert, a.decision`

// Alert implements Store.
func (s *SQLite) Alert(ctx context.Context, tenant, id string) (Record, error) {
	if tenant == "" {
		return Record{}, fmt.Errorf("alert %s: %w: tenant is required", id, ErrInvalid)
	}
	row := s.r.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM alerts a WHERE a.tenant = ? AND a.alert_id = ?`, tenant, id)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("alert %s/%s: %w", tenant, id, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("alert %s/%s: %w", tenant, id, err)
	}
	return r, nil
}

// Alerts implements Store.
func (s *SQLite) Alerts(ctx context.Context, q Query) ([]Record, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	query, args := alertsSQL(&q)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return collectRecords(rows)
}

// EntityAlerts implements Store.
func (s *SQLite) EntityAlerts(ctx context.Context, tenant, kind, value string, from, to time.Time, limit int) ([]Record, error) {
	return s.Alerts(ctx, Query{
		Tenant: tenant, From: from, To: to, Limit: limitOf(limit),
		Entity: EntityKey{Kind: kind, Value: NormalizeEntity(kind, value)},
	})
}

// alertsSQL builds the listing. With an entity the scan is driven by the
// entities primary key (tenant, kind, value, time, seq), so "alerts on X in
// [from, to)" costs one index seek plus the rows returned.
func alertsSQL(q *Query) (string, []any) {
	var b strings.Builder
	var args []any
	t := "a" // the table whose (time, seq) orders the listing
	if q.Entity.Kind != "" {
		t = "e"
		b.WriteString(`SELECT ` + recordColumns + ` FROM entities e JOIN alerts a ON a.seq = e.seq
			WHERE e.tenant = ? AND e.kind = ? AND e.value = ? AND a.tenant = e.tenant`)
		args = append(args, q.Tenant, q.Entity.Kind, q.Entity.Value)
	} else {
		b.WriteString(`SELECT ` + recordColumns + ` FROM alerts a WHERE a.tenant = ?`)
		args = append(args, q.Tenant)
	}
	cond := func(c string, v any) {
		b.WriteString(" AND " + c)
		args = append(args, v)
	}
	if !q.From.IsZero() {
		cond(t+".time >= ?", q.From.UnixNano())
	}
	if !q.To.IsZero() {
		cond(t+".time < ?", q.To.UnixNano())
	}
	if q.Disposition != "" {
		cond("a.disposition = ?", string(q.Disposition))
	}
	if q.Verdict != "" {
		cond("a.verdict = ?", string(q.Verdict))
	}
	if q.Priority != "" {
		cond("a.priority = ?", string(q.Priority))
	}
	if q.MinScore > 0 {
		cond("a.score >= ?", q.MinScore)
	}
	if q.After != "" {
		c, _ := ParseCursor(q.After) // checked by Validate
		b.WriteString(" AND (" + t + ".time, " + t + ".seq) < (?, ?)")
		args = append(args, c.Time, c.Seq)
	}
	b.WriteString(" ORDER BY " + t + ".time DESC, " + t + ".seq DESC LIMIT ?")
	args = append(args, limitOf(q.Limit))
	return b.String(), args
}

type scanner interface{ Scan(dest ...any) error }

func scanRecord(sc scanner) (Record, error) {
	var r Record
	var t, recv int64
	var ab, db []byte
	if err := sc.Scan(&r.Seq, &t, &recv, &ab, &db); err != nil {
		return Record{}, err
	}
	r.Time, r.ReceivedAt = fromNanos(t), fromNanos(recv)
	if err := json.Unmarshal(ab, &r.Alert); err != nil {
		return Record{}, fmt.Errorf("decode alert seq %d: %w", r.Seq, err)
	}
	if err := json.Unmarshal(db, &r.Decision); err != nil {
		return Record{}, fmt.Errorf("decode decision seq %d: %w", r.Seq, err)
	}
	return r, nil
}

func collectRecords(rows *sql.Rows) ([]Record, error) {
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}
