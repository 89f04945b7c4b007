package normalize

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestScanMembers checks the member scanner on shapes the samples
// rarely hold: escapes across the eight-byte blocks, escaped keys, nested
// values and white space.
func TestScanMembers(t *testing.T) {
	tests := []struct {
		name string
		obj  string
		want string // key=value pairs joined by " | "
	}{
		{"empty", `{}`, ""},
		{"not an object", `[1]`, ""},
		{"spaces", " { \"a\" :\t1 ,\n\"b\" : \"x\" } ", `a=1 | b="x"`},
		{"escaped quote past eight bytes", `{"k":"0123456789\"abc\\","n":null}`, `k="0123456789\"abc\\" | n=null`},
		{"escaped key", `{"a\u0062":true}`, `ab=true`},
		{"nested", `{"o":{"x":[1,{"y":"}"}]},"a":[]}`, `o={"x":[1,{"y":"}"}]} | a=[]`},
		{"long string", `{"s":"` + strings.Repeat("abcdefgh", 5) + `"}`, `s="` + strings.Repeat("abcdefgh", 5) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := scanMembers([]byte(tt.obj), func(k, v []byte) error {
				got = append(got, string(k)+"="+string(v))
				return nil
			})
			if err != nil || strings.Join(got, " | ") != tt.want {
				t.Errorf("got %q, %v; want %q", strings.Join(got, " | "), err, tt.want)
			}
		})
	}
	var ts texts
	if err := scanTexts([]byte(`["a", 2, null, "", {"x":1}, "b"]`), &ts); err != nil || strings.Join(ts, ",") != "a,2,b" {
		t.Errorf("scanTexts = %q, %v", ts, err)
	}
}

// FuzzScanMembers holds the scanner to encoding/json: on a valid
// object it finds exactly the members the decoder finds, each a valid
// JSON value, and array elements likewise.
func FuzzScanMembers(f *testing.F) {
	for _, files := range [][]string{crowdstrikeSamples, sentineloneSamples, proofpointSamples, googleSecopsSamples} {
		for _, file := range files {
			for _, r := range records(f, file, 2) {
				f.Add(r.Data)
			}
		}
	}
	f.Add([]byte(`{"a\"":"\\","b":[{"]":"}"}],"c":"0123456\"89"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m map[string]json.RawMessage
		if !utf8.Valid(raw) || json.Unmarshal(raw, &m) != nil {
			return
		}
		seen := map[string]bool{}
		err := scanMembers(raw, func(k, v []byte) error {
			seen[string(k)] = true
			if !json.Valid(v) {
				t.Fatalf("value of %q is not valid JSON: %q", k, v)
			}
			if v[0] == '[' {
				var els []json.RawMessage
				if err := json.Unmarshal(v, &els); err != nil {
					t.Fatal(err)
				}
				n := 0
				if err := scanElements(v, func(el []byte) error {
					if !json.Valid(el) {
						t.Fatalf("element %q is not valid JSON", el)
					}
					n++
					return nil
				}); err != nil || n != len(els) {
					t.Fatalf("scanElements found %d elements (%v), encoding/json %d", n, err, len(els))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("valid object rejected: %v", err)
		}
		// Descending into every nested object must still end exactly at
		// the object's closing brace; null (which encoding/json accepts
		// as a map) is no object, and ends at 0.
		noop := func(k, v []byte) error { return nil }
		var all scanSub
		all = func([]byte) (func(k, v []byte) error, scanSub) { return noop, all }
		n, err := scanObject(raw, noop, all)
		want := len(bytes.TrimRight(raw, " \t\r\n"))
		if m == nil {
			want = 0
		}
		if err != nil || n != want {
			t.Fatalf("scanObject = %d, %v; want %d", n, err, want)
		}
		if len(seen) != len(m) {
			t.Fatalf("found %d distinct keys, encoding/json %d", len(seen), len(m))
		}
		for k := range m {
			if !seen[k] {
				t.Fatalf("key %q missed", k)
			}
		}
	})
}
