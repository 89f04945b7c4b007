package audit

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/winnow-soc/winnow/internal/store"
)

// openStore opens a real SQLite store file in a temporary directory.
func openStore(t *testing.T) (*store.SQLite, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "winnow.db")
	st, err := store.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestStoreLogRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	c, err := NewChain(ctx, NewStoreLog(st))
	if err != nil {
		t.Fatal(err)
	}
	recs := sampleRecords(30)
	if _, err := c.AppendBatch(ctx, recs[:20]); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[20:] {
		if _, err := c.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	head := c.Head()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened, the chain resumes at its head and the log verifies.
	st2, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	log := NewStoreLog(st2)
	c2, err := NewChain(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Head() != head {
		t.Fatalf("reopened head %+v, want %+v", c2.Head(), head)
	}
	// The store's export, after a reopen, matches the memory log's for the same records.
	mem, _ := filledChain(t, 30)
	for _, tenant := range []string{"acme", "globex", "", AllTenants} {
		var fromStore, fromMem bytes.Buffer
		if err := Export(ctx, log, tenant, &fromStore); err != nil {
			t.Fatal(err)
		}
		if err := Export(ctx, mem, tenant, &fromMem); err != nil {
			t.Fatal(err)
		}
		if fromStore.Len() == 0 || fromStore.String() != fromMem.String() {
			t.Errorf("tenant %q: store export differs from memory export", tenant)
		}
	}
	if _, err := c2.Append(ctx, sampleRecords(1)[0]); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact() || rep.Records != 31 {
		t.Fatalf("verify = %+v", rep)
	}

}

func TestStoreLogForeignWriterConflict(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	c, err := NewChain(ctx, NewStoreLog(st))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendBatch(ctx, sampleRecords(3)); err != nil {
		t.Fatal(err)
	}
	// A row written behind the chain's back takes seq 4.
	if _, err := st.AppendAudit(ctx, store.AuditRecord{Tenant: "acme", Kind: "feedback", Payload: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Append(ctx, sampleRecords(1)[0])
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	rep, err := Verify(ctx, NewStoreLog(st))
	if err != nil {
		t.Fatal(err)
	}
	if rep.FirstBroken != 4 {
		t.Errorf("verify = %+v, want the foreign row seq 4 named", rep)
	}
}

// BenchmarkStoreAppendBatch measures AppendBatch of 64 decisions into a real
// SQLite file (one transaction, synchronous=FULL); ns/op is per batch.
func BenchmarkStoreAppendBatch(b *testing.B) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(b.TempDir(), "winnow.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	recs := make([]Record, 64)
	for i := range recs {
		recs[i] = Record{Tenant: "acme", Time: t0, Payload: sampleDecision(i, "acme", 3000)}
	}
	c, err := NewChain(ctx, NewStoreLog(st))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.AppendBatch(ctx, recs); err != nil {
			b.Fatal(err)
		}
	}
}
