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

// FuzzRead checks that Read never panics, emits only valid JSON objects
// from JSON and CSV input and only single non-empty lines from text input,
// and gives the same records and errors however the input is chunked.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"{\"a\":1}\n{\"b\":2}\n", "[{\"a\":1},{\"b\":2}]", "{\n \"a\": \"\\\"}\"\n}\n\n{}",
		"{\"a\":1,\n{\"b\":2}\n", "[{\"a\":", "x\n{}\n", "\xef\xbb\xbf[1,{},[]]",
		"<34>Oct 11 22:14:15 h t: CEF:0|a|b|1|2|n|3|src=1\r\n\nLEEF:1.0|a|b|1|x|k=v",
		"a,b\n1,\"x\ny\"\n1,2,3\n", "a❖b\r\n\"1\"\"\"❖2\r\n", "a;b\n1;x\"y\n",
	} {
		f.Add([]byte(s))
	}
	seeds, _ := filepath.Glob(filepath.Join(moduleRoot(f), "..", "shared", "samples", "*", "*.*"))
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
				switch r.Kind {
				case KindText:
					if len(bytes.TrimSpace(r.Data)) == 0 || bytes.ContainsAny(r.Data, "\n") || bytes.HasSuffix(r.Data, []byte("\r")) {
						t.Fatalf("emitted a text record that is not one non-empty line: %q", r.Data)
					}
				default:
					if !json.Valid(r.Data) || r.Data[0] != '{' {
						t.Fatalf("emitted a record that is not a JSON object: %q", r.Data)
					}
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
