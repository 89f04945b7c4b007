package ioc

import (
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzText checks the extractor's invariants on arbitrary text: no panic,
// deterministic output, valid UTF-8 values, no duplicates, and every value
// accepted unchanged by Add for its type.
func FuzzText(f *testing.F) {
	_, texts := goldenInputs(f)
	for _, s := range texts {
		f.Add(s)
	}
	for _, s := range []string{
		"hxxps[:]//evil[.]com/a?b=(1)).", "user[@]example[.]com", "fe80::1%eth0 ::ffff:1.2.3.4",
		"CVE-2021-44228 d41d8cd98f00b204e9800998ecf8427e", "update[.]zip run.ps1 999.1.1.1",
		"http://[::1]:8080/x http://u:p@Example.com:80/%2F", "[[.]] hxxp[[:]]//a.com",
	} {
		f.Add(s)
	}
	x := New(Options{InternalDomains: []string{"corp.example.com"}})
	f.Fuzz(func(t *testing.T, s string) {
		got := x.Text(nil, s, "text")
		if again := x.Text(nil, s, "text"); !slices.Equal(render(got), render(again)) {
			t.Fatalf("non-deterministic output for %q:\n%q\n%q", s, render(got), render(again))
		}
		seen := map[string]bool{}
		for _, o := range got {
			key := string(o.Type) + " " + o.Value
			if seen[key] {
				t.Errorf("duplicate %s", key)
			}
			seen[key] = true
			if !utf8.ValidString(o.Value) {
				t.Errorf("invalid UTF-8 value %q", o.Value)
			}
			re := x.Add(nil, o.Type, o.Value, "text")
			if len(re) != 1 || re[0].Value != o.Value || re[0].Type != o.Type || re[0].Class != o.Class {
				t.Errorf("Add(%s, %q) = %+v, want the same value back", o.Type, o.Value, re)
			}
		}
	})
}
