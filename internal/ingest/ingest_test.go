package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type got struct {
	recs []string // "line:index:data"
	errs []string // "line:kind"
}

func readAll(t testing.TB, in []byte) got {
	t.Helper()
	var g got
	err := Read(context.Background(), bytes.NewReader(in), "in", func(r Record) error {
		if r.File != "in" {
			t.Errorf("File = %q", r.File)
		}
		g.recs = append(g.recs, fmt.Sprintf("%d:%d:%s", r.Line, r.Index, r.Data))
		return nil
	}, func(e RecordError) {
		kind := "other"
		for _, k := range []error{ErrTooLarge, ErrNotObject, ErrSyntax, ErrTruncated, ErrCSV} {
			if errors.Is(e, k) {
				kind = k.Error()
			}
		}
		g.errs = append(g.errs, fmt.Sprintf("%d:%s", e.Line, kind))
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return g
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestRead(t *testing.T) {
	syn, trunc, notObj := ErrSyntax.Error(), ErrTruncated.Error(), ErrNotObject.Error()
	tests := []struct {
		name string
		in   []byte
		recs []string
		errs []string
	}{
		{"empty", []byte(""), nil, nil},
		{"whitespace only", []byte(" \n\n\t"), nil, nil},
		{"ndjson", []byte("{\"a\":1}\n{\"b\":2}\n"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":2}`}, nil},
		{"ndjson no final newline", []byte("{\"a\":1}\n{\"b\":2}"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":2}`}, nil},
		{"single object pretty", []byte("{\n  \"a\": [1, {\"x\": \"}\"}]\n}\n"),
			[]string{"1:0:{\n  \"a\": [1, {\"x\": \"}\"}]\n}"}, nil},
		{"array", []byte("[{\"a\":1},\n {\"b\":\"]\"}]"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":"]"}`}, nil},
		{"array with bom", []byte("\xef\xbb\xbf[{\"a\":1}]"),
			[]string{`1:0:{"a":1}`}, nil},
		{"gzip ndjson", gz("{\"a\":1}\n{\"b\":2}\n"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":2}`}, nil},
		{"gzip array", gz("[\n{\"a\":1}\n]"),
			[]string{`2:0:{"a":1}`}, nil},
		{"blank lines", []byte("\n\n{\"a\":1}\n\n\n{\"b\":2}\n\n"),
			[]string{`3:0:{"a":1}`, `6:1:{"b":2}`}, nil},
		{"crlf", []byte("{\"a\":1}\r\n{\"b\":2}\r\n"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":2}`}, nil},
		{"es_archiver concatenated", []byte("{\n  \"type\": \"doc\"\n}\n\n{\n  \"type\": \"doc2\"\n}\n"),
			[]string{"1:0:{\n  \"type\": \"doc\"\n}", "5:1:{\n  \"type\": \"doc2\"\n}"}, nil},
		{"escaped quotes and backslashes", []byte(`{"a":"x\"}\\"}` + "\n" + `{"b":"\\\\"}`),
			[]string{`1:0:{"a":"x\"}\\"}`, `2:1:{"b":"\\\\"}`}, nil},
		{"broken line keeps following records", []byte("{\"a\":1}\n{\"b\":2,\n{\"c\":3}\n{\"d\":4}\n"),
			[]string{`1:0:{"a":1}`, `3:2:{"c":3}`, `4:3:{"d":4}`}, []string{"2:" + trunc}},
		{"unclosed string on a line", []byte("{\"a\":\"x}\n{\"c\":3}\n"),
			[]string{`2:1:{"c":3}`}, []string{"1:" + trunc}},
		{"invalid balanced line", []byte("{\"a\":1}\n{\"a\" 1}\n{\"c\":3}\n"),
			[]string{`1:0:{"a":1}`, `3:2:{"c":3}`}, []string{"2:" + syn}},
		{"garbage line", []byte("{\"a\":1}\nhello world\n{\"c\":3}\n"),
			[]string{`1:0:{"a":1}`, `3:2:{"c":3}`}, []string{"2:" + syn}},
		{"scalar line", []byte("{\"a\":1}\n42\n{\"c\":3}\n"),
			[]string{`1:0:{"a":1}`, `3:2:{"c":3}`}, []string{"2:" + notObj}},
		{"truncated array", []byte("[{\"a\":1},\n{\"b\":"),
			[]string{`1:0:{"a":1}`}, []string{"2:" + trunc}},
		{"array not closed", []byte("[{\"a\":1},\n{\"b\":2}\n"),
			[]string{`1:0:{"a":1}`, `2:1:{"b":2}`}, []string{"3:" + trunc}},
		{"array scalar element", []byte("[1, {\"a\":1}, [2]]"),
			[]string{`1:1:{"a":1}`}, []string{"1:" + notObj, "1:" + notObj}},
		{"array missing comma", []byte("[{\"a\":1} {\"b\":2}]"),
			[]string{`1:0:{"a":1}`, `1:1:{"b":2}`}, []string{"1:" + syn}},
		{"array invalid element", []byte("[{\"a\" 1},\n{\"b\":2}]"),
			[]string{`2:1:{"b":2}`}, []string{"1:" + syn}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readAll(t, tt.in)
			if !equal(g.recs, tt.recs) {
				t.Errorf("records:\n got %q\nwant %q", g.recs, tt.recs)
			}
			if !equal(g.errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", g.errs, tt.errs)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// oneByteReader returns one byte per Read, exercising every window refill.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestReadSmallReads(t *testing.T) {
	in := "[{\"a\":\"x\\\"y\"},\n{\"b\":[1,2]}]\n{\"c\":3}\n"
	want := readAll(t, []byte(in))
	var recs []string
	err := Read(context.Background(), oneByteReader{strings.NewReader(in)}, "in", func(r Record) error {
		recs = append(recs, fmt.Sprintf("%d:%d:%s", r.Line, r.Index, r.Data))
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !equal(recs, want.recs) || len(recs) != 3 {
		t.Errorf("got %q, want %q", recs, want.recs)
	}
}

func TestReadTooLarge(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", MaxRecordSize) + `"}`
	tests := []struct {
		name string
		in   string
	}{
		{"ndjson", big + "\n{\"b\":2}\n"},
		{"array", "[" + big + ",\n{\"b\":2}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readAll(t, []byte(tt.in))
			want := []string{`2:1:{"b":2}`}
			if !equal(g.recs, want) {
				t.Errorf("records = %q, want %q", g.recs, want)
			}
			if !equal(g.errs, []string{"1:" + ErrTooLarge.Error()}) {
				t.Errorf("errors = %q", g.errs)
			}
		})
	}
}

func TestReadDataIsOwned(t *testing.T) {
	var kept []Record
	in := strings.Repeat("{\"a\":\"0123456789\"}\n", 10000)
	err := Read(context.Background(), strings.NewReader(in), "in", func(r Record) error {
		kept = append(kept, r)
		return nil
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range kept {
		if string(r.Data) != `{"a":"0123456789"}` {
			t.Fatalf("record %d changed after emit: %q", r.Index, r.Data)
		}
	}
}

func TestReadStops(t *testing.T) {
	stop := errors.New("stop")
	tests := []struct {
		name string
		ctx  func() context.Context
		emit func(Record) error
		want error
	}{
		{"emit error", context.Background, func(Record) error { return stop }, stop},
		{"cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, func(Record) error { return nil }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := Read(tt.ctx(), strings.NewReader("{}\n{}\n"), "in", func(r Record) error {
				n++
				return tt.emit(r)
			}, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if n > 1 {
				t.Errorf("emit called %d times after stop", n)
			}
		})
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadIOError(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"read error", failReader{}},
		{"corrupt gzip", bytes.NewReader(gz("{\"a\":1}\n")[:12])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Read(context.Background(), tt.r, "in", func(Record) error { return nil }, nil)
			if err == nil {
				t.Fatal("Read returned nil for a broken reader")
			}
		})
	}
}

func TestRecordError(t *testing.T) {
	e := RecordError{File: "f.json", Line: 7, Err: ErrSyntax}
	if e.Error() != "f.json:7: invalid JSON" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, ErrSyntax) {
		t.Error("RecordError does not unwrap to its cause")
	}
}

// moduleRoot walks up from the test's directory to the directory of go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("required shared file %s: %v", p, err)
	}
	return p
}

func TestOpenAndReadSharedFiles(t *testing.T) {
	tests := []struct {
		file string
		want int
	}{
		{"samples/splunk/cptc2017_splunk_search_results_suricata.json", 6},
		{"samples/elastic/kibana_es_archive_alerts-security_8.1.0_first2docs.json", 2},
		{"samples/suricata/cptc2017_eve_alerts.jsonl", 20},
		{"samples/wazuh/wazuh-indexer_amazon-security-lake_wazuh-event.sample.json", 1},
		{"data/alerts/cptc-2017/NationalTeam1.json.gz", 4274},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			f, err := Open(sharedFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			n := 0
			err = Read(context.Background(), f, tt.file, func(Record) error { n++; return nil },
				func(e RecordError) { t.Errorf("unexpected record error: %v", e) })
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("read %d records, want %d", n, tt.want)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Open of a missing file returned no error")
	}
}
