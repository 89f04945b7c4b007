package history

import (
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// BenchmarkAssessRecord measures the sequential stage's cost per alert:
// Assess then Record, on 100,000 synthetic alerts of three tenants spread
// over 30 days, after one full pass so that the window is full.
func BenchmarkAssessRecord(b *testing.B) {
	const n = 100_000
	const step = 26 * time.Second
	evs := synthetic(n, step, 3)
	alerts := make([]alert.Alert, n)
	decisions := make([]alert.Decision, n)
	for i, e := range evs {
		alerts[i] = *e.alert()
		decisions[i] = *e.decision()
	}
	loc := mustLoc(b, "Europe/Paris")
	tr := New(DefaultConfig(), defaultWeights(b))
	for i := range alerts {
		tr.Assess(&alerts[i], nil, loc)
		tr.Record(&alerts[i], nil, &decisions[i], loc)
	}
	b.ReportAllocs()
	cpu := processCPU()
	i, lap := 0, time.Duration(1)
	for b.Loop() {
		a := alerts[i]
		a.Time = a.Time.Add(lap * n * step)
		tr.Assess(&a, nil, loc)
		tr.Record(&a, nil, &decisions[i], loc)
		if i++; i == n {
			i, lap = 0, lap+1
		}
	}
	// Process CPU time per alert (GC included) is steadier than wall
	// time on a shared machine.
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu_ns/op")
	}
}
