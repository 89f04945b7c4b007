package audit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
)

func TestCanonicalDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want string
	}{
		{"map key order", map[string]int{"b": 2, "a": 1, "é": 3, "B": 0}, map[string]int{"é": 3, "B": 0, "a": 1, "b": 2}, `{"B":0,"a":1,"b":2,"é":3}`},
		{"html not escaped", map[string]string{"x": "<a&b>"}, map[string]string{"x": "<a&b>"}, `{"x":"<a&b>"}`},
		{"numbers in ECMAScript form", []float64{1e21, 1e-7, 42.5, 100, -0.0}, []float64{1e21, 1e-7, 42.5, 100, 0}, `[1e+21,1e-7,42.5,100,0]`},
		{"struct fields sorted", struct {
			Z int `json:"z"`
			A int `json:"a"`
		}{1, 2}, map[string]int{"a": 2, "z": 1}, `{"a":2,"z":1}`},
		{"control characters", "\x01\t\u2028", "\x01\t\u2028", "\"\\u0001\\t\u2028\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Canonical(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Canonical(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if string(a) != tt.want || string(b) != tt.want {
				t.Errorf("canonical = %s and %s, want %s", a, b, tt.want)
			}
		})
	}
	// The same decision encodes to the same bytes every time, and so hashes
	// the same.
	d1, _ := Canonical(recorded(sampleDecision(3, "acme", 3000)))
	d2, _ := Canonical(recorded(sampleDecision(3, "acme", 3000)))
	if !bytes.Equal(d1, d2) {
		t.Error("one decision gave two encodings")
	}
}

func TestAppendBodyIsJCS(t *testing.T) {
	// The hand-written body must be exactly what the JCS library makes of
	// it, for every tenant string.
	tenants := []string{"", "acme", `q"uote\back`, "tab\tnl\ncr\r\x00\x1f\x7f", "<html>&", "ünïcødé 🚀", "\u2028\u2029", "bad\xffutf8"}
	for _, tenant := range tenants {
		t.Run(tenant, func(t *testing.T) {
			e := Entry{Seq: 42, Time: time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC), Tenant: tenant, Kind: KindFeedback, Payload: []byte(`{"a":1}`), PrevHash: ZeroHash, Hash: ZeroHash}
			for _, withHash := range []bool{false, true} {
				body := appendBody(nil, &e, withHash)
				c, err := jcs.Transform(body)
				if err != nil {
					t.Fatalf("%s: %v", body, err)
				}
				if !bytes.Equal(c, body) {
					t.Errorf("body is not JCS:\n got %q\nwant %q", body, c)
				}
			}
		})
	}
}

func TestGoldenHashesRecomputeIndependently(t *testing.T) {
	// A receiver with only a JCS library and SHA-256 recomputes every hash
	// of the export: drop "hash", canonicalise, prefix prev_hash's bytes.
	f, err := os.Open(filepath.Join("testdata", "export.golden.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		hash, _ := m["hash"].(string)
		delete(m, "hash")
		raw, _ := json.Marshal(m)
		body, err := jcs.Transform(raw)
		if err != nil {
			t.Fatal(err)
		}
		prev, err := hex.DecodeString(m["prev_hash"].(string))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(append(prev, body...))
		if got := hex.EncodeToString(sum[:]); got != hash {
			t.Errorf("line %d: recomputed %s, stored %s", n, got, hash)
		}
	}
	if n == 0 {
		t.Fatal("golden export is empty")
	}
}

func TestIsCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":1,"b":[true,null,"x"]}`, true},
		{`{"b":1,"a":2}`, false},
		{`{"a": 1}`, false},
		{`{"a":1.0}`, false},
		{`{"a":"\u0041"}`, false},
		{``, false},
		{`{`, false},
		{`null`, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := isCanonical([]byte(tt.in)); got != tt.want {
				t.Errorf("isCanonical(%s) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
