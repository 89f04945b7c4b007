package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestChainRoundTrip(t *testing.T) {
	ctx := context.Background()
	recs := sampleRecords(25)
	log := &Memory{}
	c, err := NewChain(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if h := c.Head(); h.Seq != 0 || h.Hash != ZeroHash {
		t.Fatalf("empty head = %+v", h)
	}
	// Half one by one, half as a batch: both must give one chain.
	var got []Entry
	for _, r := range recs[:10] {
		e, err := c.Append(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	es, err := c.AppendBatch(ctx, recs[10:])
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, es...)

	stored, err := log.Entries(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(recs) {
		t.Fatalf("stored %d entries, want %d", len(stored), len(recs))
	}
	for i, e := range stored {
		t.Run(fmt.Sprintf("seq%d", i+1), func(t *testing.T) {
			if e.Seq != int64(i+1) {
				t.Errorf("seq = %d, want %d", e.Seq, i+1)
			}
			wantPrev := ZeroHash
			if i > 0 {
				wantPrev = stored[i-1].Hash
			}
			if e.PrevHash != wantPrev {
				t.Errorf("prev_hash = %s, want %s", e.PrevHash, wantPrev)
			}
			if e.Hash != got[i].Hash || len(e.Hash) != 64 {
				t.Errorf("hash = %q, returned %q", e.Hash, got[i].Hash)
			}
			if !e.Time.Equal(recs[i].Time) || e.Tenant != recs[i].Tenant || e.Kind != recs[i].Payload.Kind() {
				t.Errorf("entry %+v does not carry record %d's time, tenant and kind", e, i)
			}
			// The stored payload decodes to the appended value.
			p, err := Decode(e.Kind, e.Payload)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := Canonical(recorded(recs[i].Payload))
			back, _ := Canonical(recorded(p))
			if !bytes.Equal(back, want) || !bytes.Equal(e.Payload, want) {
				t.Errorf("payload did not round-trip:\n got %.300s\nwant %.300s", back, want)
			}
			if d, ok := p.(*Decision); ok && !bytes.Equal(d.Alert.Raw, recs[i].Payload.(*Decision).Alert.Raw) {
				t.Errorf("alert raw payload not restored byte for byte")
			}
		})
	}
	if h := c.Head(); h.Seq != 25 || h.Hash != stored[24].Hash {
		t.Errorf("head = %+v, want seq 25 hash %s", h, stored[24].Hash)
	}
	rep, err := Verify(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact() || rep.Records != 25 || rep.Head != c.Head() {
		t.Errorf("verify = %+v, want intact with 25 records and head %+v", rep, c.Head())
	}
}

func TestDecisionReplayFields(t *testing.T) {
	// A decision record must bring back everything replay needs, typed.
	ctx := context.Background()
	log := &Memory{}
	c, _ := NewChain(ctx, log)
	d := sampleDecision(7, "acme", 3000)
	e, err := c.Append(ctx, Record{Tenant: "acme", Payload: d})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode(e.Kind, e.Payload)
	if err != nil {
		t.Fatal(err)
	}
	got := p.(*Decision)
	if InputHash(got.Alert.Raw) != d.InputHash {
		t.Errorf("raw payload does not match its input hash after the round trip")
	}
	if got.Versions != d.Versions || got.Context.Asset.Criticality != "high" || got.Context.Prevalence != d.Context.Prevalence {
		t.Errorf("versions or context lost: %+v %+v", got.Versions, got.Context)
	}
	f := got.Decision.Observables[0].Findings[0]
	if f.AsOf == nil || !f.AsOf.Equal(*d.Decision.Observables[0].Findings[0].AsOf) {
		t.Errorf("finding as_of lost: %+v", f)
	}
	if len(got.Decision.Factors) != 3 || got.Decision.Factors[2].Contribution != 1e-7 || got.Decision.Score != 87 {
		t.Errorf("factors or score lost: %+v", got.Decision.Factors)
	}
	if got.Decision.Actions[0].Params["duration"] != "30d" || *got.Decision.IncidentID != "inc-1" {
		t.Errorf("actions or incident lost: %+v", got.Decision.Actions)
	}
	if got.Enrichment.Feeds[0].Version != "2026-11-22" || len(got.Decision.RulesFired) != 1 {
		t.Errorf("enrichment snapshot or rules lost: %+v %v", got.Enrichment, got.Decision.RulesFired)
	}
}

func TestNewChainResumes(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 100, 1025} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ctx := context.Background()
			log := &Memory{}
			if n > 0 {
				log, _ = filledChain(t, n)
			}
			c, err := NewChain(ctx, log)
			if err != nil {
				t.Fatal(err)
			}
			if h := c.Head(); h.Seq != int64(n) {
				t.Fatalf("head seq = %d, want %d", h.Seq, n)
			}
			if _, err := c.Append(ctx, Record{Tenant: "acme", Time: t0, Payload: &Feedback{AlertID: "a", Analyst: "x", Verdict: alert.TruePositive}}); err != nil {
				t.Fatal(err)
			}
			rep, err := Verify(ctx, log)
			if err != nil || !rep.Intact() || rep.Records != n+1 {
				t.Errorf("verify after resume = %+v, %v", rep, err)
			}
		})
	}
}

func TestAppendInvalid(t *testing.T) {
	mismatch := sampleDecision(1, "globex", 100)
	noContent := sampleDecision(1, "acme", 100)
	noContent.Versions.Content = ""
	badHash := sampleDecision(1, "acme", 100)
	badHash.InputHash = "xyz"
	nan := sampleDecision(1, "acme", 100)
	nan.Decision.Factors[0].Contribution = zero / zero
	tests := []struct {
		name string
		rec  Record
		want error
	}{
		{"no payload", Record{Tenant: "acme"}, ErrInvalid},
		{"reserved tenant", Record{Tenant: AllTenants, Payload: &Feedback{AlertID: "a", Analyst: "b", Verdict: alert.TruePositive}}, ErrInvalid},
		{"tenant not utf-8", Record{Tenant: "a\xff", Payload: &Feedback{AlertID: "a", Analyst: "b", Verdict: alert.TruePositive}}, ErrInvalid},
		{"decision of another tenant", Record{Tenant: "acme", Payload: mismatch}, ErrInvalid},
		{"no content version", Record{Tenant: "acme", Payload: noContent}, ErrInvalid},
		{"bad input hash", Record{Tenant: "acme", Payload: badHash}, ErrInvalid},
		{"not encodable", Record{Tenant: "acme", Payload: nan}, ErrInvalid},
		{"feedback without verdict", Record{Tenant: "acme", Payload: &Feedback{AlertID: "a", Analyst: "b"}}, ErrInvalid},
		{"approval without approver", Record{Tenant: "acme", Payload: &Approval{AlertID: "a", Action: alert.Action{Type: "block_ip"}}}, ErrInvalid},
		{"rejection without reason", Record{Tenant: "acme", Payload: &Rejection{AlertID: "a", Approver: "b", Action: alert.Action{Type: "block_ip"}}}, ErrInvalid},
		{"config change without target", Record{Payload: &ConfigChange{Actor: "a", Component: "weights"}}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			log, c := filledChain(t, 3)
			head := c.Head()
			// The bad record is last in a batch: nothing of the batch is stored.
			batch := append(sampleRecords(2), tt.rec)
			_, err := c.AppendBatch(ctx, batch)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if es, _ := log.Entries(ctx, 0, 100); len(es) != 3 || c.Head() != head {
				t.Errorf("a failed batch changed the log: %d entries, head %+v", len(es), c.Head())
			}
		})
	}
}

var zero float64

func TestAppendConflictReloads(t *testing.T) {
	ctx := context.Background()
	log, a := filledChain(t, 4)
	b, err := NewChain(ctx, log)
	if err != nil {
		t.Fatal(err)
	}
	fb := Record{Tenant: "acme", Time: t0, Payload: &Feedback{AlertID: "a", Analyst: "x", Verdict: alert.TruePositive}}
	if _, err := a.Append(ctx, fb); err != nil {
		t.Fatal(err)
	}
	// b's head is stale: the log refuses its seq and b reloads.
	if _, err := b.Append(ctx, fb); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale chain append err = %v, want ErrConflict", err)
	}
	e, err := b.Append(ctx, fb)
	if err != nil {
		t.Fatalf("append after reload: %v", err)
	}
	if e.Seq != 6 {
		t.Errorf("seq after reload = %d, want 6", e.Seq)
	}
	if rep, _ := Verify(ctx, log); !rep.Intact() || rep.Records != 6 {
		t.Errorf("verify = %+v", rep)
	}
}

func TestAppendDefaultsTimeToNow(t *testing.T) {
	ctx := context.Background()
	c, _ := NewChain(ctx, &Memory{})
	fixed := time.Date(2030, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	c.now = func() time.Time { return fixed }
	e, err := c.Append(ctx, Record{Payload: &ConfigChange{Actor: "a", Component: "c", To: "v2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Time.Equal(fixed) || e.Time.Location() != time.UTC {
		t.Errorf("time = %v, want %v in UTC", e.Time, fixed)
	}
}

func TestLastEntryWithGaps(t *testing.T) {
	// lastEntry must find the highest seq even when seqs skip.
	for _, seqs := range [][]int64{{1}, {5}, {1, 2, 3, 10}, {3, 4, 1000}, {1, 2, 4, 8, 16, 17}} {
		t.Run(fmt.Sprint(seqs), func(t *testing.T) {
			m := &Memory{}
			m.Tamper(func([]Entry) []Entry {
				var es []Entry
				for _, s := range seqs {
					es = append(es, Entry{Seq: s, Hash: fmt.Sprint(s)})
				}
				return es
			})
			e, ok, err := lastEntry(context.Background(), m)
			if err != nil || !ok || e.Seq != seqs[len(seqs)-1] {
				t.Errorf("lastEntry = %d, %v, %v; want %d", e.Seq, ok, err, seqs[len(seqs)-1])
			}
		})
	}
}

func TestDecodeStrict(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		payload string
		wantErr bool
	}{
		{"feedback", KindFeedback, `{"alert_id":"a","analyst":"b","verdict":"true_positive"}`, false},
		{"unknown field", KindFeedback, `{"alert_id":"a","analyst":"b","verdict":"true_positive","extra":1}`, true},
		{"unknown kind", "deletion", `{}`, true},
		{"not json", KindApproval, `{`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Decode(tt.kind, []byte(tt.payload))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && p.Kind() != tt.kind {
				t.Errorf("kind = %s, want %s", p.Kind(), tt.kind)
			}
		})
	}
}

func TestEncodeConcurrentThenAppend(t *testing.T) {
	// Records encoded on many goroutines and chained in order give the same
	// log as AppendBatch.
	ctx := context.Background()
	recs := sampleRecords(40)
	encoded := make([]Encoded, len(recs))
	errs := make(chan error, len(recs))
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() {
			var err error
			encoded[i], err = Encode(recs[i])
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	log := &Memory{}
	c, _ := NewChain(ctx, log)
	if _, err := c.AppendEncoded(ctx, encoded); err != nil {
		t.Fatal(err)
	}
	_, ref := filledChain(t, 40)
	if c.Head() != ref.Head() {
		t.Errorf("head %+v, want %+v as from AppendBatch", c.Head(), ref.Head())
	}
	if _, err := c.AppendEncoded(ctx, []Encoded{{}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero Encoded: err = %v, want ErrInvalid", err)
	}
	if _, err := Encode(Record{Tenant: "acme"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Encode without payload: err = %v, want ErrInvalid", err)
	}
}
