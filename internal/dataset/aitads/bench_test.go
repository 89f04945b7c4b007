package aitads

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// BenchmarkConvert converts the decompressed russellmitchell scenario
// (45,544 rows) in memory to discarded outputs.
func BenchmarkConvert(b *testing.B) {
	f, err := os.Open(sharedFile(b, "russellmitchell_alerts.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		st, err := Convert(bytes.NewReader(data), "russellmitchell", io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		rows += st.Rows
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
