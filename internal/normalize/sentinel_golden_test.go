package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
)

// sentinelRecords reads every record of a shared sample through ingest
// (CSV exports become one object per row, header names as keys).
func sentinelRecords(t testing.TB, rel string) []ingest.Record {
	return records(t, rel, 0)
}

// sentinelGoldenEntry is goldenEntry for formats whose records may hold
// several alerts: Alert is the n-th alert of the record's line.
type sentinelGoldenEntry struct {
	goldenEntry
	N int `json:"n,omitempty"`
}

// sentinelGolden normalises every record of a sample file with detection
// and NormalizeAll and compares the alerts with
// testdata/golden/<name>.golden (UPDATE_GOLDEN=1 rewrites it). It checks
// what every alert must satisfy: the detected format, Raw holding valid
// JSON that is the record or a part of it, and time in UTC.
func sentinelGolden(t *testing.T, name, format string, recs []ingest.Record) {
	t.Helper()
	var entries []sentinelGoldenEntry
	for _, r := range recs {
		n := 0
		err := NormalizeAll("auto", r.Data, func(a alert.Alert) error {
			n++
			if a.Source != format {
				t.Errorf("line %d: source %q, want %s", r.Line, a.Source, format)
			}
			// Table rows are rebuilt as objects; elements of envelopes
			// are slices of the record.
			if !json.Valid(a.Raw) || format != "sentinel" && !bytes.Contains(r.Data, a.Raw) {
				t.Errorf("line %d alert %d: Raw is not JSON from the record", r.Line, n)
			}
			if !a.Time.IsZero() && a.Time.Location() != time.UTC {
				t.Errorf("line %d: time %v not in UTC", r.Line, a.Time)
			}
			a.Raw = nil
			entries = append(entries, sentinelGoldenEntry{goldenEntry{Line: r.Line, Format: a.Source, Alert: &a}, n})
			return nil
		})
		if err != nil {
			entries = append(entries, sentinelGoldenEntry{goldenEntry: goldenEntry{Line: r.Line, Error: err.Error()}})
		}
	}
	got, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff it after UPDATE_GOLDEN=1", path)
	}
}

// sentinelFuzz checks a format through NormalizeAll: it never panics,
// and every alert it emits has a source, ID, title and severity, a UTC
// time and a Raw that is valid JSON.
func sentinelFuzz(f *testing.F, name string, files []string) {
	for _, file := range files {
		for _, r := range sentinelRecords(f, file) {
			f.Add(r.Data)
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"value":[]}`))
	f.Add([]byte(`{"tables":[{"columns":[{"name":"SystemAlertId"}],"rows":[["x"]]}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_ = NormalizeAll(name, raw, func(a alert.Alert) error {
			if a.Source != name || a.ID == "" || a.Title == "" || a.Severity.Rank() == 0 {
				t.Fatalf("alert without source, id, title or severity and no error: %+v", a)
			}
			if !a.Time.IsZero() && a.Time.Location() != time.UTC {
				t.Fatalf("time %v not in UTC", a.Time)
			}
			if !json.Valid(a.Raw) {
				t.Fatalf("Raw is not JSON: %q", a.Raw)
			}
			if _, err := json.Marshal(a); err != nil {
				t.Fatalf("alert does not marshal: %v", err)
			}
			return nil
		})
	})
}

// sentinelBench measures NormalizeAll over a format's sample records,
// reporting input records and emitted alerts per second.
func sentinelBench(b *testing.B, name string, files []string) {
	var recs []ingest.Record
	for _, file := range files {
		recs = append(recs, sentinelRecords(b, file)...)
	}
	b.ReportAllocs()
	n, alerts := 0, 0
	count := func(alert.Alert) error { alerts++; return nil }
	for b.Loop() {
		if err := NormalizeAll(name, recs[n%len(recs)].Data, count); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(alerts)/b.Elapsed().Seconds(), "alerts/s")
}

// sentinelQuote encodes s as a JSON string, as Log Analytics sends dynamic
// columns.
func sentinelQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sentinelFullSummary is the alert as JSON without Raw, for checks on fields
// summary leaves out.
func sentinelFullSummary(t *testing.T, a alert.Alert) string {
	t.Helper()
	a.Raw = nil
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
