package pipeline

import (
	"context"
	"io"
	"strings"
	"testing"
)

// BenchmarkRunner measures the ordered parallel Runner end to end (framing,
// normalisation, Decide, encoding, ordering) over synthetic Suricata
// records, per record.
func BenchmarkRunner(b *testing.B) {
	eng := testEngine(b)
	const n = 4 * batchSize
	var sb strings.Builder
	for i := range n {
		sb.WriteString(eveRecord(i))
		sb.WriteByte('\n')
	}
	in := sb.String()
	for _, w := range []struct {
		name    string
		workers int
	}{{"workers=1", 1}, {"workers=max", 0}} {
		b.Run(w.name, func(b *testing.B) {
			r := &Runner{Engine: eng, Workers: w.workers}
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				st, err := r.Run(context.Background(), []Input{{"bench", strings.NewReader(in)}}, io.Discard)
				if err != nil || st.Decided != n {
					b.Fatalf("run: %v, %+v", err, st)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}
