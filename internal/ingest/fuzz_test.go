package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead checks that Read never panics, emits only valid JSON objects, and
// gives the same records and errors however the input is chunked.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"{\"a\":1}\n{\"b\":2}\n", "[{\"a\":1},{\"b\":2}]", "{\n \"a\": \"\\\"}\"\n}\n\n{}",
		"{\"a\":1,\n{\"b\":2}\n", "[{\"a\":", "x\n{}\n", "\xef\xbb\xbf[1,{},[]]",
	} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob(filepath.Join(moduleRoot(f), "..", "shared", "samples", "*", "*.json*"))
	if os.Getenv("FUZZ_NO_SHARED") != "" {
		seeds = nil
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		run := func(chunked bool) (out []string) {
			var src = bytes.NewReader(in)
			var rd interface{ Read([]byte) (int, error) } = src
			if chunked {
				rd = oneByteReader{src}
			}
			err := Read(context.Background(), rd, "f", func(r Record) error {
				if !json.Valid(r.Data) || r.Data[0] != '{' {
					t.Fatalf("emitted a record that is not a JSON object: %q", r.Data)
				}
				if r.Line < 1 || r.Line > bytes.Count(in, []byte{'\n'})+1 {
					t.Fatalf("line %d out of range", r.Line)
				}
				out = append(out, fmt.Sprintf("r%d:%d:%s", r.Line, r.Index, r.Data))
				return nil
			}, func(e RecordError) {
				out = append(out, fmt.Sprintf("e%d:%v", e.Line, e.Err))
			})
			if err != nil && !strings.Contains(err.Error(), "gzip") {
				t.Fatalf("Read on an in-memory reader: %v", err)
			}
			return out
		}
		a, b := run(false), run(true)
		if !equal(a, b) {
			t.Fatalf("chunking changed the result:\n%q\n%q", a, b)
		}
	})
}
