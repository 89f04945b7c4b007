package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/dataset/aitads"
	"github.com/winnow-soc/winnow/internal/ingest"
	"github.com/winnow-soc/winnow/internal/normalize"
)

// The end-to-end benchmarks decide real alerts with every shared feed
// loaded, one record at a time on the calling goroutine: decode, normalise,
// extract, enrich, map, score, classify and encode. They report alerts/s
// and the p50/p99 latency of one alert.

var btEngine = sync.OnceValues(func() (*Engine, error) {
	cfg, err := config.Load(filepath.Join(btRoot(), "examples", "demo.yaml"))
	if err != nil {
		return nil, err
	}
	return New(context.Background(), cfg, Options{})
})

func btRoot() string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

// btRecords reads up to max records from files under ../shared.
func btRecords(b *testing.B, max int, rel ...string) [][]byte {
	b.Helper()
	var recs [][]byte
	for _, r := range rel {
		path := filepath.Join(btRoot(), "..", "shared", r)
		f, err := os.Open(path)
		if err != nil {
			b.Fatalf("benchmark data missing: %v", err)
		}
		var rd io.Reader = f
		err = ingest.Read(context.Background(), rd, path, func(rec ingest.Record) error {
			if len(recs) < max {
				recs = append(recs, rec.Data)
			}
			return nil
		}, func(ingest.RecordError) {})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	if len(recs) == 0 {
		b.Fatal("no records")
	}
	return recs
}

// btAITADS converts one AIT-ADS scenario to Wazuh alerts in memory.
func btAITADS(b *testing.B, scenario string) [][]byte {
	b.Helper()
	path := filepath.Join(btRoot(), "..", "shared", "data", "alerts", "ait-ads", scenario+"_alerts.csv.gz")
	f, err := os.Open(path)
	if err != nil {
		b.Fatalf("benchmark data missing: %v", err)
	}
	defer f.Close()
	var alerts bytes.Buffer
	if _, err := aitads.Convert(f, scenario, &alerts, io.Discard); err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(alerts.Bytes()), []byte("\n"))
}

// btCPU is the CPU time the process has used so far.
func btCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkTriage(b *testing.B) {
	eng, err := btEngine()
	if err != nil {
		b.Fatalf("build engine: %v", err)
	}
	cases := []struct {
		name string
		recs [][]byte
	}{
		{"cptc-splunk-suricata", btRecords(b, 20000, "data/alerts/cptc-2017/NationalTeam1.json.gz", "data/alerts/cptc-2017/NationalTeam6.json.gz")},
		{"suricata-eve", btRecords(b, 1000, "samples/suricata/cptc2017_eve_alerts.jsonl", "samples/suricata/aecid_2020_eve_alerts_from_wazuh_full_log.jsonl")},
		{"wazuh-aitads", btAITADS(b, "russellmitchell")},
		{"wazuh-samples", btRecords(b, 1000, "samples/wazuh/aecid_ossec_insect_sample.jsonl", "samples/wazuh/aecid_ossec_spiral_correlation_sample.jsonl", "samples/wazuh/wazuh-indexer_amazon-security-lake_wazuh-event.sample.json")},
	}
	for _, c := range cases {
		for _, stateful := range []bool{false, true} {
			name := c.name
			if stateful {
				name += "/session"
			}
			btCase(b, eng, name, c.recs, stateful)
		}
	}
}

// btCase decides recs round-robin; stateful adds a Session (history and
// correlation), as 'winnow triage' runs.
func btCase(b *testing.B, eng *Engine, name string, recs [][]byte, stateful bool) {
	b.Run(name, func(b *testing.B) {
		var sess *Session
		if stateful {
			var err error
			if sess, err = eng.NewSession(); err != nil {
				b.Fatal(err)
			}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		lat := make([]time.Duration, 0, 1<<16)
		i := 0
		b.ReportAllocs()
		cpu0 := btCPU()
		start := time.Now()
		for b.Loop() {
			rec := recs[i%len(recs)]
			i++
			t0 := time.Now()
			a, err := normalize.Normalize("auto", rec)
			if err != nil {
				b.Fatal(err)
			}
			var d alert.Decision
			if sess != nil {
				p, err := eng.Prepare(&a)
				if err != nil {
					b.Fatal(err)
				}
				d = sess.Finish(p)
			} else if d, err = eng.Decide(&a); err != nil {
				b.Fatal(err)
			}
			buf.Reset()
			if err := enc.Encode(&d); err != nil {
				b.Fatal(err)
			}
			if len(lat) < cap(lat) {
				lat = append(lat, time.Since(t0))
			}
		}
		elapsed := time.Since(start)
		if cpu := btCPU() - cpu0; cpu > 0 {
			// On a shared machine alerts per CPU-second is steadier than
			// alerts per wall-clock second.
			b.ReportMetric(float64(i)/cpu.Seconds(), "alerts/cpu-s")
		}
		slices.Sort(lat)
		b.ReportMetric(float64(i)/elapsed.Seconds(), "alerts/s")
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	})
}
