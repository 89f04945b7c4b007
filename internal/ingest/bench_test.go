package ingest

import (
	"bytes"
	"context"
	"os"
	"testing"
)

func BenchmarkRead(b *testing.B) {
	raw, err := os.ReadFile(sharedFile(b, "data/alerts/cptc-2017/NationalTeam1.json.gz"))
	if err != nil {
		b.Fatal(err)
	}
	// Decompress once: the gzip case then measures decompression too.
	var plain bytes.Buffer
	if err := Read(context.Background(), bytes.NewReader(raw), "x", func(r Record) error {
		plain.Write(r.Data)
		plain.WriteByte('\n')
		return nil
	}, nil); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"ndjson", plain.Bytes()},
		{"array-gzip", raw},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(plain.Len()))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if err := Read(context.Background(), bytes.NewReader(c.in), "x", func(Record) error { n++; return nil }, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReadCSV measures rows/s on the SecRL Sentinel export (wide rows
// with JSON cells, '❖'-delimited), repeated to a few thousand rows.
func BenchmarkReadCSV(b *testing.B) {
	raw, err := os.ReadFile(sharedFile(b, "samples/sentinel_defender/secrl_SecurityAlert_sample.csv"))
	if err != nil {
		b.Fatal(err)
	}
	header, body, _ := bytes.Cut(raw, []byte("\n"))
	in := append(append([]byte{}, header...), '\n')
	for range 200 {
		in = append(in, body...)
	}
	rows := 0
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Read(context.Background(), bytes.NewReader(in), "x", func(Record) error { rows++; return nil }, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
