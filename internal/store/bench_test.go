package store

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. On a shared machine rows
// per CPU-second is steadier than rows per wall-clock second.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRows adds rows/s and rows/cpu-s.
func reportRows(b *testing.B, rows int, cpu0 time.Duration) {
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	if cpu := cpuTime(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
	}
}

// BenchmarkSaveBatch measures persistence of realistic items (a decision
// of about 3 KB, 13 entity keys) at three batch sizes, in rows per second.
func BenchmarkSaveBatch(b *testing.B) {
	d, _ := json.Marshal(sample("acme", 1).Decision)
	b.Logf("decision JSON: %d bytes", len(d))
	ctx := context.Background()
	for _, n := range []int{1, 64, 512} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			s, _ := openTemp(b)
			next := 0
			pool := samples("acme", 0, 4096)
			cpu0 := cpuTime(b)
			b.ReportAllocs()
			for b.Loop() {
				items := make([]Item, n)
				for i := range items {
					items[i] = pool[(next+i)%len(pool)]
					items[i].Alert.ID = fmt.Sprint("b-", next+i)
					items[i].Decision.AlertID = items[i].Alert.ID
				}
				next += n
				if err := s.SaveBatch(ctx, items); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, next, cpu0)
		})
	}
}

// BenchmarkWriter measures the pipeline's path: items added one by one and
// saved in batches of 256.
func BenchmarkWriter(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	w := NewWriter(s, 256, 50*time.Millisecond)
	items := samples("acme", 0, 4096)
	n := 0
	cpu0 := cpuTime(b)
	b.ReportAllocs()
	for b.Loop() {
		it := items[n%len(items)]
		it.Alert.ID = fmt.Sprint("w-", n)
		it.Decision.AlertID = it.Alert.ID
		n++
		if err := w.Add(ctx, it); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	reportRows(b, n, cpu0)
}

// BenchmarkEntityAlerts measures "alerts on host X of tenant T in a day"
// over 20,000 stored alerts of two tenants.
func BenchmarkEntityAlerts(b *testing.B) {
	ctx := context.Background()
	s, _ := openTemp(b)
	for i := 0; i < 10000; i += 500 {
		if err := s.SaveBatch(ctx, append(samples("acme", i, 500), samples("globex", i, 500)...)); err != nil {
			b.Fatal(err)
		}
	}
	from := base.Add(24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		recs, err := s.EntityAlerts(ctx, "acme", KindHost, "host-3", from, from.Add(24*time.Hour), 50)
		if err != nil {
			b.Fatal(err)
		}
		if len(recs) != 50 {
			b.Fatalf("%d records", len(recs))
		}
	}
}
