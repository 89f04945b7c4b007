package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func schemaRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT version || ' ' || name FROM schema_version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	if SchemaVersion() < 1 {
		t.Fatal("no embedded migrations")
	}
	s, path := openTemp(t)
	fresh := schemaRows(t, s.DB())
	if len(fresh) != SchemaVersion() || fresh[0] != "1 0001_init.sql" {
		t.Fatalf("fresh database schema rows: %v", fresh)
	}
	if err := s.SaveBatch(ctx, samples("acme", 0, 2)); err != nil {
		t.Fatal(err)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1"} {
		var got string
		if err := s.DB().QueryRow(`PRAGMA ` + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %s (%v), want %s", pragma, got, err, want)
		}
	}

	t.Run("reopen is a no-op", func(t *testing.T) {
		s2, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		if got := schemaRows(t, s2.DB()); strings.Join(got, ",") != strings.Join(fresh, ",") {
			t.Errorf("schema rows after reopen: %v", got)
		}
		if got, _ := s2.Alerts(ctx, Query{Tenant: "acme"}); len(got) != 2 {
			t.Errorf("reopened store holds %d alerts, want 2", len(got))
		}
	})

	t.Run("newer schema is refused", func(t *testing.T) {
		if _, err := s.DB().Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future.sql', 0)`, SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		_, err := OpenSQLite(ctx, path)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("err = %v, want ErrSchemaTooNew", err)
		}
		if want := fmt.Sprintf("schema version %d, this binary knows up to %d", SchemaVersion()+1, SchemaVersion()); !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name the versions: %v", err)
		}
	})
}

func TestMigrationSteps(t *testing.T) {
	ctx := context.Background()
	two := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"migrations/0002_b.sql": {Data: []byte(`ALTER TABLE a ADD COLUMN y TEXT; CREATE INDEX a_y ON a (y);`)},
	}
	for _, c := range []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{"two steps", two, ""},
		{"gap in versions", fstest.MapFS{
			"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
			"migrations/0003_c.sql": {Data: []byte(`CREATE TABLE c (x INTEGER);`)},
		}, "want version 0002"},
		{"bad name", fstest.MapFS{"migrations/init.sql": {Data: []byte(`SELECT 1;`)}}, "want version 0001"},
		{"bad SQL rolls back", fstest.MapFS{
			"migrations/0001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER); CREATE TABLE broken (;`)},
		}, "apply migration 0001_a.sql"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/m.db?_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			err = migrate(ctx, db, c.fsys)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'a'`).Scan(&n); err != nil || n != 0 {
					t.Errorf("a failed migration left table a behind (%d, %v)", n, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, db, c.fsys); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if got := schemaRows(t, db); strings.Join(got, ",") != "1 0001_a.sql,2 0002_b.sql" {
				t.Errorf("schema rows %v", got)
			}
			if _, err := db.Exec(`INSERT INTO a (x, y) VALUES (1, 'y')`); err != nil {
				t.Errorf("schema not applied: %v", err)
			}
		})
	}
}
