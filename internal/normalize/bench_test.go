package normalize

import (
	"github.com/winnow-soc/winnow/alert"
	"testing"

	"github.com/winnow-soc/winnow/internal/ingest"
)

// BenchmarkNormalize measures each format on its real samples, and
// detection plus normalisation on the first 1,000 CPTC Splunk records.
func BenchmarkNormalize(b *testing.B) {
	for _, name := range Names() {
		var recs []ingest.Record
		for _, file := range fuzzSeeds[name] {
			recs = append(recs, records(b, file, 0)...)
		}
		if len(recs) == 0 {
			continue // formats benchmarked on their own (generic, test_multi)
		}
		benchRecords(b, name, name, recs)
	}
	benchRecords(b, "auto-cptc", "auto", records(b, "data/alerts/cptc-2017/NationalTeam1.json.gz", 1000))
}

func benchRecords(b *testing.B, name, format string, recs []ingest.Record) {
	var size int64
	for _, r := range recs {
		size += int64(len(r.Data))
	}
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size / int64(len(recs)))
		n, alerts := 0, 0
		count := func(alert.Alert) error { alerts++; return nil }
		for b.Loop() {
			if err := NormalizeAll(format, recs[n%len(recs)].Data, count); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
		b.ReportMetric(float64(alerts)/b.Elapsed().Seconds(), "alerts/s")
	})
}

// BenchmarkDetect measures format detection alone.
func BenchmarkDetect(b *testing.B) {
	recs := records(b, "data/alerts/cptc-2017/NationalTeam1.json.gz", 1000)
	recs = append(recs, records(b, "samples/wazuh/aecid_ossec_insect_sample.jsonl", 0)...)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := Detect(recs[n%len(recs)].Data); err != nil {
			b.Fatal(err)
		}
		n++
	}
}
