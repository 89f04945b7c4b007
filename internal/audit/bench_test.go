package audit

import (
	"context"
	"io"
	"testing"
)

// BenchmarkAppend measures one decision record (a ~3 KB raw payload) per
// Append, the per-alert cost in the sequential stage.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	recs := make([]Record, 64)
	for i := range recs {
		recs[i] = Record{Tenant: "acme", Time: t0, Payload: sampleDecision(i, "acme", 3000)}
	}
	payload, _ := Canonical(recorded(recs[0].Payload))
	b.SetBytes(int64(len(payload)))
	c, err := NewChain(ctx, discardLog{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Append(ctx, recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAppendBatch measures AppendBatch of 64 decision records;
// ns/op is per batch.
func BenchmarkAppendBatch(b *testing.B) {
	ctx := context.Background()
	recs := make([]Record, 64)
	for i := range recs {
		recs[i] = Record{Tenant: "acme", Time: t0, Payload: sampleDecision(i, "acme", 3000)}
	}
	c, err := NewChain(ctx, discardLog{})
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

// BenchmarkEncode measures the parallelisable part of an append: validating
// and canonically encoding one ~3 KB-raw decision.
func BenchmarkEncode(b *testing.B) {
	rec := Record{Tenant: "acme", Time: t0, Payload: sampleDecision(1, "acme", 3000)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendEncoded measures the sequential part: chaining and hashing
// one encoded decision.
func BenchmarkAppendEncoded(b *testing.B) {
	ctx := context.Background()
	enc, err := Encode(Record{Tenant: "acme", Time: t0, Payload: sampleDecision(1, "acme", 3000)})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc.e.Payload)))
	c, _ := NewChain(ctx, discardLog{})
	one := []Encoded{enc}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.AppendEncoded(ctx, one); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures verifying a 1,000-record chain; ns/op is per chain.
func BenchmarkVerify(b *testing.B) {
	log, _ := filledChain(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		rep, err := Verify(context.Background(), log)
		if err != nil || !rep.Intact() {
			b.Fatal(rep, err)
		}
	}
}

// BenchmarkExport measures exporting a 1,000-record chain.
func BenchmarkExport(b *testing.B) {
	log, _ := filledChain(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Export(context.Background(), log, AllTenants, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// discardLog accepts every append, so the benchmarks time the chain alone.
type discardLog struct{}

func (discardLog) Append(context.Context, ...Entry) error { return nil }
func (discardLog) Entries(context.Context, int64, int) ([]Entry, error) {
	return nil, nil
}
