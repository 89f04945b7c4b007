package audit

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
)

// goldenLines returns the lines of the export golden file, the fuzz seeds.
func goldenLines(f *testing.F) [][]byte {
	f.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "export.golden.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// FuzzVerify feeds arbitrary export text, parsed as far as it parses, to
// Verify through a Log that stores it unchecked. Verify must never panic nor
// fail to terminate, and must call an untouched golden chain intact.
func FuzzVerify(f *testing.F) {
	lines := goldenLines(f)
	all := bytes.Join(lines, []byte("\n"))
	f.Add(all)
	f.Add(lines[0])
	f.Add(bytes.Join(lines[:3], []byte("\n")))
	f.Add([]byte(`{"seq":1,"prev_hash":"zz","hash":"","kind":"decision","payload":{"a":1e400}}`))
	f.Add([]byte(`{"seq":-5,"payload":"\ud800"}` + "\n" + `{"seq":-5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, _ := ReadExport(bytes.NewReader(data))
		m := &Memory{}
		m.Tamper(func([]Entry) []Entry { return es })
		rep, err := VerifyAnchors(context.Background(), m, Anchor{Seq: 3, Hash: "x"})
		if err != nil {
			return // a Log returning entries out of order is refused
		}
		// Logs only hold positive seqs: Entries(0, …) skips the others.
		positive := 0
		for _, e := range es {
			if e.Seq > 0 {
				positive++
			}
		}
		if len(es) < pageSize && rep.Records != positive {
			t.Errorf("records = %d, want %d", rep.Records, positive)
		}
		if bytes.Equal(data, all) {
			if r, _ := Verify(context.Background(), m); !r.Intact() {
				t.Errorf("golden chain reported broken: %+v", r)
			}
		}
		for _, e := range es {
			_ = VerifyEntry(e)
			_, _ = Decode(e.Kind, e.Payload)
		}
	})
}

// FuzzReadExport checks the export reader on arbitrary text and that every
// entry it reads is written back by Export as a canonical line.
func FuzzReadExport(f *testing.F) {
	for _, l := range goldenLines(f) {
		f.Add(l)
	}
	f.Add([]byte("\n\n{}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ReadExport(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, e := range es {
			if !isCanonical(e.Payload) {
				continue
			}
			line := appendBody(nil, &e, true)
			if c, err := jcs.Transform(line); err != nil || !bytes.Equal(c, line) {
				t.Fatalf("export line of a read entry is not canonical: %q (%v)", line, err)
			}
		}
	})
}

// FuzzChainTenant appends records with arbitrary tenants and text and checks
// that the chain verifies and each export line is canonical JSON.
func FuzzChainTenant(f *testing.F) {
	f.Add("acme", "comment", int64(0))
	f.Add("a\"\\\x00\u2028", "<script>&", int64(-1))
	f.Add("\xff", "\xfe", int64(1<<62))
	f.Fuzz(func(t *testing.T, tenant, comment string, nanos int64) {
		ctx := context.Background()
		m := &Memory{}
		c, err := NewChain(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		rec := Record{Tenant: tenant, Time: time.Unix(0, nanos), Payload: &Feedback{AlertID: "a", Analyst: "b", Verdict: "true_positive", Comment: comment}}
		if _, err := c.Append(ctx, rec); err != nil {
			return // invalid tenants are refused
		}
		rep, err := Verify(ctx, m)
		if err != nil || !rep.Intact() {
			t.Fatalf("verify = %+v, %v", rep, err)
		}
		var buf bytes.Buffer
		if err := Export(ctx, m, tenant, &buf); err != nil {
			t.Fatal(err)
		}
		line := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if c, err := jcs.Transform(line); err != nil || !bytes.Equal(c, line) {
			t.Fatalf("export line not canonical: %q", line)
		}
		es, err := ReadExport(&buf)
		if err != nil || len(es) != 1 || VerifyEntry(es[0]) != nil {
			t.Fatalf("re-read export: %v, %d entries", err, len(es))
		}
	})
}

// FuzzTransform holds appendCanonical to the reference RFC 8785
// implementation: where jcs.Transform succeeds both give the same bytes, and
// appendCanonical never accepts what jcs refuses.
func FuzzTransform(f *testing.F) {
	for _, l := range goldenLines(f) {
		f.Add(l)
	}
	for _, s := range []string{`{"b":1,"a":{"d":[1,2.50,-0,1e21,1E-7],"c":"\u00e9\ud83d\ude80\/"}}`, `{"\u20ac":1,"\ud83d\ude80":2,"\uffff":3}`, `[]`, `{}`, `"x"`, ` 1 `, `{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", `[1e400]`, `{"a" : [ true , false , null ] }`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := jcs.Transform(data)
		got, gerr := appendCanonical(nil, data)
		switch {
		case werr == nil && gerr == nil:
			if !bytes.Equal(got, want) {
				t.Fatalf("input %q:\n got %q\nwant %q", data, got, want)
			}
		case werr != nil && gerr == nil:
			t.Fatalf("input %q accepted as %q, jcs refuses: %v", data, got, werr)
		case werr == nil && gerr != nil:
			t.Fatalf("input %q refused (%v), jcs gives %q", data, gerr, want)
		}
	})
}
