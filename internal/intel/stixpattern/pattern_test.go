package stixpattern

import (
	"errors"
	"reflect"
	"testing"
)

// Patterns follow STIX 2.1 section 9 (Patterning); the first cases are the
// shapes found in the Unit 42 playbook bundles.
func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    []Comparison
	}{
		{"ipv4", "[ipv4-addr:value = '1.2.3.4']",
			[]Comparison{{ObjectType: "ipv4-addr", Path: "value", Op: "=", Values: []string{"1.2.3.4"}}}},
		{"quoted hash name", "[file:hashes.'SHA-256' = 'abc']",
			[]Comparison{{ObjectType: "file", Path: "hashes.SHA-256", Op: "=", Values: []string{"abc"}}}},
		{"bare hash name", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
			[]Comparison{{ObjectType: "file", Path: "hashes.MD5", Op: "=", Values: []string{"d41d8cd98f00b204e9800998ecf8427e"}}}},
		{"or inside brackets", "[domain-name:value = 'a.com' OR domain-name:value = 'b.com']",
			[]Comparison{
				{ObjectType: "domain-name", Path: "value", Op: "=", Values: []string{"a.com"}},
				{ObjectType: "domain-name", Path: "value", Op: "=", Values: []string{"b.com"}},
			}},
		{"and marks conjuncts", "[file:hashes.MD5 = 'x' AND file:name = 'y.exe']",
			[]Comparison{
				{ObjectType: "file", Path: "hashes.MD5", Op: "=", Values: []string{"x"}, Conjunct: true},
				{ObjectType: "file", Path: "name", Op: "=", Values: []string{"y.exe"}, Conjunct: true},
			}},
		{"and binds tighter than or", "[a:x = '1' OR b:y = '2' AND c:z = '3']",
			[]Comparison{
				{ObjectType: "a", Path: "x", Op: "=", Values: []string{"1"}},
				{ObjectType: "b", Path: "y", Op: "=", Values: []string{"2"}, Conjunct: true},
				{ObjectType: "c", Path: "z", Op: "=", Values: []string{"3"}, Conjunct: true},
			}},
		{"observation or with qualifiers", "([url:value = 'http://x/a'] OR [url:value = 'http://y/\\'q\\'']) WITHIN 300 SECONDS",
			[]Comparison{
				{ObjectType: "url", Path: "value", Op: "=", Values: []string{"http://x/a"}},
				{ObjectType: "url", Path: "value", Op: "=", Values: []string{"http://y/'q'"}},
			}},
		{"followedby", "[ipv4-addr:value = '1.1.1.1'] FOLLOWEDBY [ipv4-addr:value = '2.2.2.2'] REPEATS 2 TIMES",
			[]Comparison{
				{ObjectType: "ipv4-addr", Path: "value", Op: "=", Values: []string{"1.1.1.1"}, Conjunct: true},
				{ObjectType: "ipv4-addr", Path: "value", Op: "=", Values: []string{"2.2.2.2"}, Conjunct: true},
			}},
		{"not and in", "[ipv4-addr:value NOT = '1.1.1.1' AND ipv4-addr:value IN ('2.2.2.2', '3.3.3.3')]",
			[]Comparison{
				{ObjectType: "ipv4-addr", Path: "value", Op: "=", Values: []string{"1.1.1.1"}, Negated: true, Conjunct: true},
				{ObjectType: "ipv4-addr", Path: "value", Op: "IN", Values: []string{"2.2.2.2", "3.3.3.3"}, Conjunct: true},
			}},
		{"typed literals and indexes", "[network-traffic:extensions.'x'.refs[*].value LIKE 'a%' AND x-y:n >= -1.5] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'",
			[]Comparison{
				{ObjectType: "network-traffic", Path: "extensions.x.refs[*].value", Op: "LIKE", Values: []string{"a%"}, Conjunct: true},
				{ObjectType: "x-y", Path: "n", Op: ">=", Values: []string{"-1.5"}, Conjunct: true},
			}},
		{"exists and booleans", "[EXISTS file:name AND x509-certificate:is_self_signed = true]",
			[]Comparison{
				{ObjectType: "file", Path: "name", Op: "EXISTS", Conjunct: true},
				{ObjectType: "x509-certificate", Path: "is_self_signed", Op: "=", Values: []string{"true"}, Conjunct: true},
			}},
		{"backslashes", `[process:command_line = 'C:\\Windows\\cmd.exe']`,
			[]Comparison{{ObjectType: "process", Path: "command_line", Op: "=", Values: []string{`C:\Windows\cmd.exe`}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.pattern, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, p := range []string{
		"",
		"ipv4-addr:value = '1.2.3.4'",
		"[ipv4-addr:value = '1.2.3.4'",
		"[ipv4-addr:value = '1.2.3.4] ",
		"[ipv4-addr:value '1.2.3.4']",
		"[ipv4-addr = '1.2.3.4']",
		"[ipv4-addr:value = '1.2.3.4'] AND",
		"[ipv4-addr:value = '1.2.3.4'] WITHIN SECONDS",
		"[ipv4-addr:value = 'a\\q']",
		"[a:b = 1] garbage",
		"[a:b * 3]",
		"[a:b LIKE 5]",
		"[a:b IN ()]",
		"[a:b[x] = 1]",
		"[a:b = --1]",
	} {
		t.Run(p, func(t *testing.T) {
			got, err := Parse(p)
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrSyntax", p, got, err)
			}
		})
	}
}

func TestEquality(t *testing.T) {
	tests := []struct {
		c    Comparison
		want bool
	}{
		{Comparison{Op: "="}, true},
		{Comparison{Op: "IN"}, true},
		{Comparison{Op: "=", Negated: true}, false},
		{Comparison{Op: "!="}, false},
		{Comparison{Op: "LIKE"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.c.Op, func(t *testing.T) {
			if got := tt.c.Equality(); got != tt.want {
				t.Errorf("%+v.Equality() = %v, want %v", tt.c, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[ipv4-addr:value = '1.2.3.4']",
		"[file:hashes.'SHA-256' = 'ab' OR file:hashes.MD5 = 'cd']",
		"([a:b = 'x'] AND [c:d IN (1, 2)]) WITHIN 5 SECONDS",
		"[a:b.c[*].d NOT LIKE 'x%'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00Z'",
		`[process:command_line = 'C:\\x \'y\'']`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			if got != nil || !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) = %v, %v: errors must wrap ErrSyntax and return nothing", s, got, err)
			}
			return
		}
		// A pattern always has at least one comparison, each with a type,
		// a path, and values unless it is EXISTS.
		if len(got) == 0 {
			t.Fatalf("Parse(%q) succeeded with no comparisons", s)
		}
		for _, c := range got {
			if c.ObjectType == "" || c.Path == "" || (c.Op != "EXISTS" && len(c.Values) == 0) {
				t.Fatalf("Parse(%q): incomplete comparison %+v", s, c)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	const p = "[file:hashes.'SHA-256' = '1b92046cff47b821b3666c72dea660b5ec9ebfd9556bd0de33883ebe1de0f3fc' OR ipv4-addr:value = '1.2.3.4']"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(p); err != nil {
			b.Fatal(err)
		}
	}
}
