package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{}`, true}, {` {"a":[1,2,{"b":null}]} `, true}, {`"x"`, true}, {`-0.5e+3`, true},
		{`{"a":01}`, false}, {`[1,]`, false}, {`{}{}`, false}, {`{"a":"\q"}`, false},
		{"\"\x01\"", false}, {`1.`, false}, {``, false}, {`{"a":}`, false},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := Valid([]byte(c.in)); got != c.want {
				t.Errorf("Valid(%q) = %v, want %v", c.in, got, c.want)
			}
			if got := json.Valid([]byte(c.in)); got != c.want {
				t.Errorf("test table disagrees with encoding/json for %q", c.in)
			}
		})
	}
}

// FuzzValid holds the validator to encoding/json's verdicts.
func FuzzValid(f *testing.F) {
	for _, s := range []string{`{"a":[1,-0.5e+3,true,false,null,"\u00e9\n"]}`, `{"a":01}`, `[1,]`, `"\x01"`, `{"a":"\q"}`, ` 1 `, `{}{}`, `-`, `1.`, `1e`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid = %v", b, got, want)
		}
	})
}
