package correlate

import (
	"testing"
	"time"
)

// BenchmarkAdd places 100k synthetic alerts with realistic entity reuse
// into a fresh correlator per iteration; ns/alert is the per-alert cost.
func BenchmarkAdd(b *testing.B) {
	events := synth(b, 100_000, 7)
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		cr, err := New(DefaultConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range events {
			cr.Add(ev)
		}
	}
	perAlert(b, cpu, len(events))
}

// BenchmarkAddBusyHost is the worst case for one entity: every alert on
// the same host and user, one second apart, so that every alert extends
// one ever-growing burst incident.
func BenchmarkAddBusyHost(b *testing.B) {
	events := synth(b, 10_000, 8)
	for i, ev := range events {
		ev.Alert.Tenant = "acme"
		ev.Alert.Time = t0.Add(time.Duration(i) * time.Second)
		ev.Alert.Entities.Hosts = ev.Alert.Entities.Hosts[:1]
		ev.Alert.Entities.Hosts[0].Name = "dc-01"
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		cr, err := New(DefaultConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range events {
			cr.Add(ev)
		}
	}
	perAlert(b, cpu, len(events))
}

// perAlert reports wall and CPU nanoseconds per alert.
func perAlert(b *testing.B, cpu0 time.Duration, n int) {
	alerts := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/alerts, "ns/alert")
	b.ReportMetric(float64((processCPU()-cpu0).Nanoseconds())/alerts, "cpu-ns/alert")
}
