package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestFeedback(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SaveBatch(ctx, samples("acme", 0, 2)); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return base.Add(time.Hour) }
	in := []Feedback{
		{Tenant: "acme", AlertID: "suricata-000000", Analyst: "ana", Verdict: alert.FalsePositive, Disposition: alert.AutoClose, Comment: "scanner"},
		{Tenant: "acme", AlertID: "suricata-000001", Analyst: "bo", Verdict: alert.TruePositive, Time: base.Add(2 * time.Hour)},
		{Tenant: "acme", AlertID: "suricata-000000", Analyst: "bo", Verdict: alert.TruePositive, Comment: "no, it is real"},
	}
	var saved []Feedback
	for _, f := range in {
		got, err := s.PutFeedback(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, got)
	}
	if saved[0].ID == 0 || saved[1].ID <= saved[0].ID || !saved[0].Time.Equal(base.Add(time.Hour)) {
		t.Errorf("IDs and default time not set: %+v", saved)
	}
	got, err := s.Feedback(ctx, "acme", "suricata-000000")
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "feedback of alert 0", got, []Feedback{saved[0], saved[2]})
	since, err := s.FeedbackSince(ctx, "acme", saved[0].ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "feedback since", since, saved[1:])
	if _, err := s.PutFeedback(ctx, Feedback{Tenant: "acme", AlertID: "missing"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("feedback on a missing alert: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Feedback(ctx, "", "suricata-000000"); !errors.Is(err, ErrInvalid) {
		t.Errorf("no tenant: err = %v", err)
	}
}

func TestIncidents(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	inc := Incident{Tenant: "acme", ID: "inc-1", Title: "beaconing", Status: "open", Severity: alert.SeverityHigh,
		Created: base, Updated: base, AlertIDs: []string{"b", "a"}, Body: json.RawMessage(`{"rule":"beacon"}`)}
	if err := s.PutIncident(ctx, inc); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIncident(ctx, Incident{Tenant: "acme", ID: "inc-2", Title: "other", Created: base, Updated: base.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Incident(ctx, "acme", "inc-1")
	if err != nil {
		t.Fatal(err)
	}
	want := inc
	want.AlertIDs = []string{"a", "b"}
	jsonEqual(t, "incident", got, want)

	// A replace updates fields and links but keeps the creation time.
	inc.Status, inc.Updated, inc.AlertIDs, inc.Created = "closed", base.Add(time.Hour), []string{"c"}, base.Add(time.Hour)
	if err := s.PutIncident(ctx, inc); err != nil {
		t.Fatal(err)
	}
	list, err := s.Incidents(ctx, "acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "inc-1" || list[0].Status != "closed" || !slices.Equal(list[0].AlertIDs, []string{"c"}) ||
		!list[0].Created.Equal(base) || list[1].AlertIDs != nil {
		t.Errorf("incidents after update: %+v", list)
	}
	if err := s.PutIncident(ctx, Incident{Tenant: "acme", ID: "x", Body: json.RawMessage(`{`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad body: err = %v, want ErrInvalid", err)
	}
	if _, err := s.Incident(ctx, "acme", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing incident: err = %v", err)
	}
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	now := base
	s.now = func() time.Time { return now }
	entries := []CacheEntry{
		{Provider: "virustotal", Key: "ip:203.0.113.9", Value: []byte(`{"malicious":3}`), ExpiresAt: base.Add(time.Hour)},
		{Provider: "virustotal", Key: "ip:198.51.100.1", Negative: true, ExpiresAt: base.Add(time.Minute)},
		{Provider: "abuseipdb", Key: "ip:203.0.113.9", Value: []byte{0, 1, 2}, ExpiresAt: base.Add(2 * time.Hour)},
	}
	for _, e := range entries {
		if err := s.CachePut(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range entries {
		got, err := s.CacheGet(ctx, e.Provider, e.Key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Value, e.Value) || got.Negative != e.Negative || !got.ExpiresAt.Equal(e.ExpiresAt) || !got.StoredAt.Equal(base) {
			t.Errorf("cache %s %s: got %+v", e.Provider, e.Key, got)
		}
	}
	now = base.Add(30 * time.Minute)
	if err := s.CachePut(ctx, CacheEntry{Provider: "virustotal", Key: "ip:203.0.113.9", Value: []byte("new"), ExpiresAt: base.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CacheGet(ctx, "virustotal", "ip:203.0.113.9"); string(got.Value) != "new" || !got.StoredAt.Equal(now) {
		t.Errorf("replaced entry: %+v", got)
	}
	if _, err := s.CacheGet(ctx, "virustotal", "ip:198.51.100.1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired entry: err = %v, want ErrNotFound", err)
	}
	n, err := s.CachePrune(ctx, now)
	if err != nil || n != 1 {
		t.Errorf("prune: %d, %v; want 1", n, err)
	}
	if err := s.CachePut(ctx, CacheEntry{Provider: "x", Key: "k"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no expiry: err = %v, want ErrInvalid", err)
	}
}

func TestAudit(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var recs []AuditRecord
	for i, tenant := range []string{"acme", "", "globex", "acme"} {
		recs = append(recs, AuditRecord{Tenant: tenant, Time: base.Add(time.Duration(i) * time.Second), Kind: "decision",
			Payload: []byte(fmt.Sprintf(`{"n":%d}`, i)), PrevHash: []byte{byte(i)}, Hash: []byte{byte(i + 1)}})
	}
	saved, err := s.AppendAudit(ctx, recs[:2]...)
	if err != nil {
		t.Fatal(err)
	}
	more, err := s.AppendAudit(ctx, recs[2:]...)
	if err != nil {
		t.Fatal(err)
	}
	saved = append(saved, more...)
	for i, r := range saved {
		if r.Seq != int64(i+1) {
			t.Errorf("record %d has seq %d", i, r.Seq)
		}
	}
	for _, c := range []struct {
		tenant  string
		from    int64
		limit   int
		wantSeq []int64
	}{
		{AllTenants, 0, 0, []int64{1, 2, 3, 4}},
		{AllTenants, 2, 1, []int64{3}},
		{"acme", 0, 0, []int64{1, 4}},
		{"acme", 1, 0, []int64{4}},
		{"", 0, 0, []int64{2}},
		{"initech", 0, 0, nil},
	} {
		t.Run(fmt.Sprintf("%q from %d", c.tenant, c.from), func(t *testing.T) {
			got, err := s.AuditRecords(ctx, c.tenant, c.from, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, r := range got {
				seqs = append(seqs, r.Seq)
				jsonEqual(t, "record", r, saved[r.Seq-1])
			}
			if !slices.Equal(seqs, c.wantSeq) {
				t.Errorf("seqs %v, want %v", seqs, c.wantSeq)
			}
		})
	}
	var sync int
	if err := s.DB().QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 1 {
		t.Errorf("writer left at synchronous=%d (%v), want NORMAL (1)", sync, err)
	}
	if _, err := s.AppendAudit(ctx, AuditRecord{Tenant: AllTenants, Kind: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("reserved tenant: err = %v", err)
	}
}

// TestAuditTamper checks that the store refuses to rewrite history even when
// asked through raw SQL on its own connection.
func TestAuditTamper(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, err := s.AppendAudit(ctx, AuditRecord{Tenant: "acme", Kind: "decision", Payload: []byte("original"), Hash: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit SET payload = 'forged' WHERE seq = 1`,
		`DELETE FROM audit WHERE seq = 1`,
		`INSERT OR REPLACE INTO audit (seq, tenant, time, kind, payload) VALUES (1, 'acme', 0, 'decision', 'forged')`,
	} {
		t.Run(strings.Fields(stmt)[0], func(t *testing.T) {
			_, err := s.DB().ExecContext(ctx, stmt)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want append-only refusal", stmt, err)
			}
		})
	}
	got, err := s.AuditRecords(ctx, "acme", 0, 0)
	if err != nil || len(got) != 1 || string(got[0].Payload) != "original" {
		t.Errorf("audit after tamper attempts: %+v, %v", got, err)
	}
}
