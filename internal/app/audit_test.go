package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the driver the store uses, to tamper with the file
)

// TestAuditTrail: triage --db writes one chained audit record per decision;
// verify passes, export holds only the tenant's records, and an edit made
// behind the store's back is detected and named.
func TestAuditTrail(t *testing.T) {
	root := moduleRoot(t)
	cfg := filepath.Join(root, "internal", "app", "testdata", "config", "assisted.yaml")
	alerts := filepath.Join(root, "internal", "app", "testdata", "alerts", "good.jsonl")
	db := filepath.Join(t.TempDir(), "w.db")
	if r := runMain(t, "", "triage", "--config", cfg, "--db", db, alerts); r.code != ExitOK {
		t.Fatalf("triage --db: exit %d: %s", r.code, r.stderr)
	}
	r := runMain(t, "", "audit", "verify", "--db", db)
	if r.code != ExitOK {
		t.Fatalf("verify: exit %d: %s", r.code, r.stderr)
	}
	var rep struct {
		Records     int   `json:"records"`
		FirstBroken int64 `json:"first_broken"`
		Head        struct {
			Seq  int64  `json:"seq"`
			Hash string `json:"hash"`
		} `json:"head"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Records != 3 || rep.FirstBroken != 0 {
		t.Fatalf("verify report %q (%v): want 3 intact records", r.stdout, err)
	}

	exp := runMain(t, "", "audit", "export", "--db", db, "--tenant", "acme")
	if exp.code != ExitOK || len(lines(exp.stdout)) != 3 || !strings.Contains(exp.stdout, `"kind":"decision"`) {
		t.Fatalf("export acme: exit %d, %d lines:\n%s", exp.code, len(lines(exp.stdout)), exp.stdout)
	}
	if other := runMain(t, "", "audit", "export", "--db", db, "--tenant", "globex"); other.code != ExitOK || other.stdout != "" {
		t.Fatalf("export of another tenant leaked records: %q", other.stdout)
	}

	// Every decision replays from its record to the same output under the
	// same configuration, and differs under another one.
	if r := runMain(t, "", "audit", "replay", "--db", db, "--config", cfg); r.code != ExitOK || !strings.Contains(r.stdout, "3 decisions replayed, 0 differ") {
		t.Fatalf("replay: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	strict := filepath.Join(t.TempDir(), "strict.yaml")
	writeFile(t, strict, strings.Replace(mustRead(t, cfg), "mode: assisted", "mode: assisted\n    thresholds: { escalate: 20, investigate: 10, review: 5, auto_close_below: 1 }", 1))
	if r := runMain(t, "", "audit", "replay", "--db", db, "--config", strict); r.code != ExitRejected || !strings.Contains(r.stdout, "replay differs") {
		t.Fatalf("replay under other thresholds: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A second run appends to the same chain; the first head still anchors it.
	if r := runMain(t, "", "triage", "--config", cfg, "--db", db, alerts); r.code != ExitOK {
		t.Fatalf("second triage: exit %d: %s", r.code, r.stderr)
	}
	anchor := rep.Head.Hash
	if r := runMain(t, "", "audit", "verify", "--db", db, "--anchor", "3:"+anchor); r.code != ExitOK {
		t.Fatalf("verify with anchor: exit %d: %s", r.code, r.stderr)
	}

	// Tamper: drop the append-only guard and edit record 2's payload.
	sqldb, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	ctx := context.Background()
	for _, q := range []string{
		`DROP TRIGGER audit_no_update`,
		`UPDATE audit SET payload = replace(payload, '"score":', '"score":1') WHERE seq = 2`,
	} {
		if _, err := sqldb.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r = runMain(t, "", "audit", "verify", "--db", db)
	if r.code != ExitRejected || !strings.Contains(r.stdout, `"first_broken":2`) {
		t.Fatalf("tampered chain: exit %d, report %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runMain(t, "", "audit", "verify"); r.code != ExitUsage {
		t.Errorf("verify without --db: exit %d, want %d", r.code, ExitUsage)
	}
}
