package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver, pure Go
)

// SQLite is the default Store: one database file in WAL mode, written by a
// single connection and read by a pool of read-only connections, so readers
// never wait for the writer and writers never see SQLITE_BUSY from each other.
type SQLite struct {
	w *sql.DB // exactly one connection: SQLite has one writer anyway
	r *sql.DB // read-only pool; the same as w for an in-memory database
	// stmts are prepared once on w and bound to each transaction.
	stmts map[string]*sql.Stmt
	// now is the clock for defaults and cache expiry; tests replace it.
	now func() time.Time
}

var _ Store = (*SQLite)(nil)

// busyTimeout is how long a connection waits for another process's lock
// (another Winnow on the same file, a backup tool) before SQLITE_BUSY.
const busyTimeout = 10 * time.Second

var memSeq atomic.Int64

// OpenSQLite opens or creates the database at path, applies the pragmas
// (WAL, synchronous=NORMAL, foreign keys, busy timeout) and migrates it.
// "" or ":memory:" gives a private in-memory database, the same code path
// without a file.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	memory := path == "" || path == ":memory:"
	var uri string
	if memory {
		// A named in-memory database lives as long as one connection holds
		// it; the store keeps exactly one connection open, for reads too.
		uri = fmt.Sprintf("file:winnow-mem-%d?mode=memory&cache=private", memSeq.Add(1))
	} else {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
		uri = "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath() + "?"
	}
	pragmas := func(extra ...string) string {
		q := url.Values{}
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
		q.Add("_pragma", "foreign_keys(1)")
		for _, p := range extra {
			q.Add("_pragma", p)
		}
		return q.Encode()
	}
	sep := "&"
	if !memory {
		sep = ""
	}
	// journal_mode is set on the writer before any reader connects: it is a
	// property of the file, and WAL makes readers and the writer independent.
	// synchronous=NORMAL in WAL mode is durable against a process crash (the
	// kill test) and loses at most the last commits on power loss, never
	// consistency; AppendAudit raises it to FULL for its own commits.
	// The upserts need statement journals; temp_store=MEMORY keeps them off
	// disk (as file writes they cost ~15% of the write CPU). A 64 MB page
	// cache and 16 KB pages were measured too, and were no faster.
	wq := pragmas("synchronous(NORMAL)", "temp_store(MEMORY)") + "&_txlock=immediate"
	if memory {
		wq = pragmas("temp_store(MEMORY)") + "&_txlock=immediate"
	}
	w, err := sql.Open("sqlite", uri+sep+wq)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &SQLite{w: w, r: w, now: time.Now}
	if err := s.init(ctx, memory, uri+sep+pragmas("query_only(1)")); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Memory returns an empty in-memory store, for runs without --db and tests.
func Memory(ctx context.Context) (*SQLite, error) { return OpenSQLite(ctx, ":memory:") }

func (s *SQLite) init(ctx context.Context, memory bool, readerDSN string) error {
	if !memory {
		var mode string
		if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil {
			return fmt.Errorf("read journal mode: %w", err)
		}
		if mode != "wal" {
			return fmt.Errorf("journal mode is %q, want wal", mode)
		}
	}
	if err := migrate(ctx, s.w, migrationFS); err != nil {
		return err
	}
	if err := s.prepare(ctx); err != nil {
		return err
	}
	if memory {
		return nil
	}
	r, err := sql.Open("sqlite", readerDSN)
	if err != nil {
		return fmt.Errorf("open readers: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r = r
	return nil
}

// Close closes both pools. It is safe to call more than once.
func (s *SQLite) Close() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// DB returns the writer's database handle, for the integrity check in tests
// and for tools (backup, vacuum); callers must not write through it.
func (s *SQLite) DB() *sql.DB { return s.w }

// Check runs SQLite's integrity check and returns an error naming the first
// problems when the file is damaged.
func (s *SQLite) Check(ctx context.Context) error {
	rows, err := s.w.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %d problems, first: %s", len(problems), problems[0])
	}
	return nil
}

// nanos stores t as Unix nanoseconds; the zero time is 0.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos is the inverse of nanos, in UTC.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
