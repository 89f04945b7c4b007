package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// jsonEqual compares values by their JSON encoding: that is what the store
// promises to keep (time zones and monotonic readings are not kept).
func jsonEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s differs:\n got %s\nwant %s", what, g, w)
	}
}

func TestAlertRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"file", "memory"} {
		t.Run(mode, func(t *testing.T) {
			var s *SQLite
			if mode == "file" {
				s, _ = openTemp(t)
			} else {
				var err error
				if s, err = Memory(ctx); err != nil {
					t.Fatal(err)
				}
				defer s.Close()
			}
			items := samples("acme", 0, 3)
			items[1].Alert.Time = time.Time{} // indexed by ReceivedAt instead
			if err := s.SaveBatch(ctx, items); err != nil {
				t.Fatal(err)
			}
			for i, it := range items {
				r, err := s.Alert(ctx, "acme", it.Alert.ID)
				if err != nil {
					t.Fatal(err)
				}
				jsonEqual(t, "alert", r.Alert, it.Alert)
				jsonEqual(t, "decision", r.Decision, it.Decision)
				if !r.ReceivedAt.Equal(it.ReceivedAt) || r.Seq != int64(i+1) {
					t.Errorf("received %v seq %d, want %v seq %d", r.ReceivedAt, r.Seq, it.ReceivedAt, i+1)
				}
				wantTime := it.Alert.Time
				if wantTime.IsZero() {
					wantTime = it.ReceivedAt
				}
				if !r.Time.Equal(wantTime) {
					t.Errorf("indexed time %v, want %v", r.Time, wantTime)
				}
			}
			var types string
			if err := s.DB().QueryRow(`SELECT DISTINCT typeof(alert) || ' ' || typeof(decision) FROM alerts`).Scan(&types); err != nil || types != "text text" {
				t.Errorf("JSON stored as %q (%v), want text", types, err)
			}
			if _, err := s.Alert(ctx, "acme", "nope"); !errors.Is(err, ErrNotFound) {
				t.Errorf("missing alert: err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestSaveBatchIdempotent(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	first := samples("acme", 0, 2)
	if err := s.SaveBatch(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := samples("acme", 0, 3) // alerts 0 and 1 again, 2 is new
	again[0].Decision.Score, again[0].Decision.Disposition = 99, alert.Escalate
	again[0].Alert.Title = "changed title"
	again[0].ReceivedAt = again[0].ReceivedAt.Add(time.Hour)
	// The same alert twice in one batch: the later decision wins.
	dup := again[2]
	dup.Decision.Score = 77
	again = append(again, dup)
	if err := s.SaveBatch(ctx, again); err != nil {
		t.Fatal(err)
	}
	all, err := s.Alerts(ctx, Query{Tenant: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d alerts stored, want 3: %v", len(all), ids(all))
	}
	r, err := s.Alert(ctx, "acme", first[0].Alert.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 1 || r.Alert.Title != first[0].Alert.Title || !r.ReceivedAt.Equal(first[0].ReceivedAt) {
		t.Errorf("re-saved alert changed: seq %d title %q received %v", r.Seq, r.Alert.Title, r.ReceivedAt)
	}
	if r.Decision.Score != 99 || r.Decision.Disposition != alert.Escalate {
		t.Errorf("decision not replaced: score %d disposition %s", r.Decision.Score, r.Decision.Disposition)
	}
	if got, _ := s.Alerts(ctx, Query{Tenant: "acme", MinScore: 99}); len(got) != 1 {
		t.Errorf("indexed score not updated: %v", ids(got))
	}
	if r, _ := s.Alert(ctx, "acme", dup.Alert.ID); r.Decision.Score != 77 {
		t.Errorf("duplicate in one batch: score %d, want the later 77", r.Decision.Score)
	}
	var entities int
	if err := s.DB().QueryRow(`SELECT count(*) FROM entities WHERE seq = 1`).Scan(&entities); err != nil {
		t.Fatal(err)
	}
	if want := len(Entities(&first[0].Alert, &first[0].Decision)); entities != want {
		t.Errorf("alert 0 has %d entity rows, want %d", entities, want)
	}
}

func TestSaveBatchAtomic(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, c := range []struct {
		name string
		bad  func(*Item)
	}{
		{"no tenant", func(it *Item) { it.Alert.Tenant = "" }},
		{"no id", func(it *Item) { it.Alert.ID = "" }},
		{"decision of another alert", func(it *Item) { it.Decision.AlertID = "other" }},
		{"decision of another tenant", func(it *Item) { it.Decision.Tenant = "globex" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			items := samples("acme", 0, 3)
			c.bad(&items[2])
			if err := s.SaveBatch(ctx, items); !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if got, _ := s.Alerts(ctx, Query{Tenant: "acme"}); len(got) != 0 {
				t.Errorf("a rejected batch stored %v", ids(got))
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.SaveBatch(cctx, samples("acme", 0, 3)); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got, _ := s.Alerts(ctx, Query{Tenant: "acme"}); len(got) != 0 {
			t.Errorf("a cancelled batch stored %v", ids(got))
		}
	})
}

func TestAlertsQuery(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SaveBatch(ctx, samples("acme", 0, 40)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveBatch(ctx, samples("globex", 0, 40)); err != nil {
		t.Fatal(err)
	}
	// want lists sample indexes, newest first.
	rangeDesc := func(from, to int, keep func(int) bool) []string {
		var out []string
		for i := to - 1; i >= from; i-- {
			if keep == nil || keep(i) {
				out = append(out, fmt.Sprintf("suricata-%06d", i))
			}
		}
		return out
	}
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	for _, c := range []struct {
		name string
		q    Query
		want []string
	}{
		{"all newest first", Query{Tenant: "acme"}, rangeDesc(0, 40, nil)},
		{"limit", Query{Tenant: "acme", Limit: 3}, rangeDesc(37, 40, nil)},
		{"time range half open", Query{Tenant: "acme", From: at(10), To: at(15)}, rangeDesc(10, 15, nil)},
		{"disposition", Query{Tenant: "acme", Disposition: alert.Escalate}, rangeDesc(0, 40, func(i int) bool { return i%4 == 0 })},
		{"verdict", Query{Tenant: "acme", Verdict: alert.FalsePositive}, rangeDesc(0, 40, func(i int) bool { return i%4 == 3 })},
		{"priority and from", Query{Tenant: "acme", Priority: alert.P2, From: at(30)}, rangeDesc(30, 40, func(i int) bool { return i%4 == 1 })},
		{"min score", Query{Tenant: "acme", MinScore: 35}, rangeDesc(35, 40, nil)},
		{"entity", Query{Tenant: "acme", Entity: EntityKey{KindHost, "host-3"}}, rangeDesc(0, 40, func(i int) bool { return i%10 == 3 })},
		{"entity and disposition", Query{Tenant: "acme", Entity: EntityKey{KindDstIP, "203.0.113.4"}, Disposition: alert.Escalate},
			rangeDesc(0, 40, func(i int) bool { return i%20 == 4 && i%4 == 0 })},
		{"entity time range", Query{Tenant: "acme", Entity: EntityKey{KindIP, "10.0.2.1"}, From: at(5), To: at(20)},
			rangeDesc(5, 20, func(i int) bool { return i%5 == 2 })},
		{"unknown tenant", Query{Tenant: "initech"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.Alerts(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), c.want) {
				t.Errorf("got %v\nwant %v", ids(got), c.want)
			}
			for _, r := range got {
				if r.Alert.Tenant != c.q.Tenant {
					t.Errorf("tenant %s returned %s's alert %s", c.q.Tenant, r.Alert.Tenant, r.Alert.ID)
				}
			}
		})
	}
}

func TestAlertsPaging(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	items := samples("acme", 0, 25)
	for i := range items[10:20] { // ten alerts share one time: the cursor must break ties by seq
		items[10+i].Alert.Time = base.Add(time.Hour)
	}
	if err := s.SaveBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	for _, q := range []Query{
		{Tenant: "acme", Limit: 4},
		{Tenant: "acme", Limit: 4, Entity: EntityKey{KindRule, "suricata/2010935"}},
	} {
		t.Run(q.Entity.Kind, func(t *testing.T) {
			whole := q
			whole.Limit = 0
			want, err := s.Alerts(ctx, whole)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for pages := 0; ; pages++ {
				page, err := s.Alerts(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 || pages > 50 {
					break
				}
				got = append(got, ids(page)...)
				q.After = page[len(page)-1].Cursor()
			}
			if !slices.Equal(got, ids(want)) {
				t.Errorf("pages give %v\nwant %v", got, ids(want))
			}
		})
	}
}

func TestEntityAlerts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.SaveBatch(ctx, append(samples("acme", 0, 30), samples("globex", 0, 30)...)); err != nil {
		t.Fatal(err)
	}
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	for _, c := range []struct {
		name, tenant, kind, value string
		from, to                  time.Time
		limit                     int
		want                      int
	}{
		{"host any case", "acme", KindHost, "HOST-7", time.Time{}, time.Time{}, 0, 3},
		{"user with domain", "acme", KindUser, `corp\u1`, time.Time{}, time.Time{}, 0, 5},
		{"src ip in range", "acme", KindSrcIP, "10.0.1.1", at(0), at(10), 0, 2},
		{"observable domain", "acme", KindDomain, "evil.example.com.", time.Time{}, time.Time{}, 0, 30},
		{"hash", "acme", KindHash, sample("acme", 3).Alert.Entities.Files[0].SHA256, time.Time{}, time.Time{}, 0, 2},
		{"limit", "acme", KindDomain, "evil.example.com", time.Time{}, time.Time{}, 7, 7},
		{"other tenant's entity", "initech", KindHost, "host-7", time.Time{}, time.Time{}, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.EntityAlerts(ctx, c.tenant, c.kind, c.value, c.from, c.to, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Errorf("%d alerts, want %d: %v", len(got), c.want, ids(got))
			}
			for i, r := range got {
				if r.Alert.Tenant != c.tenant {
					t.Errorf("tenant %s returned %s's alert", c.tenant, r.Alert.Tenant)
				}
				if i > 0 && r.Time.After(got[i-1].Time) {
					t.Errorf("not newest first at %d", i)
				}
			}
		})
	}
	if _, err := s.EntityAlerts(ctx, "", KindHost, "host-1", time.Time{}, time.Time{}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("no tenant: err = %v, want ErrInvalid", err)
	}
}

func TestTenantIsolation(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	a, b := sample("acme", 1), sample("globex", 1) // same alert ID, same entities
	b.Decision.Score = 5
	if err := s.SaveBatch(ctx, []Item{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"acme", "globex"} {
		r, err := s.Alert(ctx, tenant, a.Alert.ID)
		if err != nil || r.Alert.Tenant != tenant {
			t.Errorf("Alert(%s): tenant %q err %v", tenant, r.Alert.Tenant, err)
		}
		for _, recs := range [][]Record{
			must(s.Alerts(ctx, Query{Tenant: tenant})),
			must(s.EntityAlerts(ctx, tenant, KindHost, "host-1", time.Time{}, time.Time{}, 0)),
		} {
			if len(recs) != 1 || recs[0].Alert.Tenant != tenant {
				t.Errorf("tenant %s sees %d records", tenant, len(recs))
			}
		}
	}
	if _, err := s.Alerts(ctx, Query{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("query without tenant: err = %v, want ErrInvalid", err)
	}
	if _, err := s.PutFeedback(ctx, Feedback{Tenant: "initech", AlertID: a.Alert.ID}); !errors.Is(err, ErrNotFound) {
		t.Errorf("feedback on another tenant's alert: err = %v, want ErrNotFound", err)
	}
	if _, err := s.PutFeedback(ctx, Feedback{Tenant: "acme", AlertID: a.Alert.ID, Verdict: alert.TruePositive}); err != nil {
		t.Fatal(err)
	}
	if got := must(s.Feedback(ctx, "globex", a.Alert.ID)); len(got) != 0 {
		t.Errorf("globex sees acme's feedback on the same alert ID: %+v", got)
	}
	if got := must(s.FeedbackSince(ctx, "globex", 0, 0)); len(got) != 0 {
		t.Errorf("globex lists acme's feedback: %+v", got)
	}
	if _, err := s.AppendAudit(ctx, AuditRecord{Tenant: "acme", Kind: "decision"}, AuditRecord{Tenant: "globex", Kind: "decision"}); err != nil {
		t.Fatal(err)
	}
	if recs := must(s.AuditRecords(ctx, "acme", 0, 0)); len(recs) != 1 || recs[0].Tenant != "acme" {
		t.Errorf("acme's audit: %+v", recs)
	}
	if err := s.PutIncident(ctx, Incident{Tenant: "acme", ID: "inc-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incident(ctx, "globex", "inc-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another tenant's incident: err = %v", err)
	}
	if got := must(s.Incidents(ctx, "globex", 0)); len(got) != 0 {
		t.Errorf("globex lists acme's incidents: %+v", got)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestConcurrentReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const batches, per = 20, 32
	errs := make(chan error, 5)
	go func() {
		for b := range batches {
			if err := s.SaveBatch(ctx, samples("acme", b*per, per)); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for range 4 {
		go func() {
			last := 0
			for last < batches*per {
				recs, err := s.Alerts(ctx, Query{Tenant: "acme", Limit: MaxLimit})
				if err != nil {
					errs <- err
					return
				}
				// A reader sees whole batches only, and never fewer than before.
				if len(recs)%per != 0 || len(recs) < last {
					errs <- fmt.Errorf("reader saw %d alerts after %d", len(recs), last)
					return
				}
				last = len(recs)
			}
			errs <- nil
		}()
	}
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadersAreReadOnly(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.r.Exec(`DELETE FROM alerts`); err == nil {
		t.Error("a reader connection accepted a write")
	}
	if _, err := s.EntityAlerts(context.Background(), "acme", "colour", "red", time.Time{}, time.Time{}, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown entity kind: err = %v, want ErrInvalid", err)
	}
}

func TestClosedStore(t *testing.T) {
	s, err := OpenSQLite(context.Background(), t.TempDir()+"/x.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveBatch(context.Background(), samples("acme", 0, 1)); err == nil {
		t.Error("SaveBatch on a closed store succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
