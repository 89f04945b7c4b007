package audit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// maxDepth bounds the nesting of arrays and objects the transform accepts,
// as encoding/json and the jcs package do.
const maxDepth = 10000

// errNotJSON is returned by appendCanonical for input that is not one JSON
// value, or that RFC 8785 refuses (a lone surrogate, a duplicate key, a
// number out of range).
var errNotJSON = errors.New("not canonicalisable JSON")

// appendCanonical appends the RFC 8785 form of the JSON value src to dst.
// It gives the same bytes as jcs.Transform (held to it by a fuzz target)
// with a fraction of its allocations: strings without escapes are copied as
// they are, members are canonicalised in place and only reordered when they
// are out of order, and number formatting is jcs.NumberToJSON's.
func appendCanonical(dst, src []byte) ([]byte, error) {
	t := transformer{src: src}
	t.skipSpace()
	out, err := t.value(dst, 0)
	if err != nil {
		return dst, err
	}
	t.skipSpace()
	if t.pos != len(src) {
		return dst, fmt.Errorf("%w: data after the value at offset %d", errNotJSON, t.pos)
	}
	return out, nil
}

type transformer struct {
	src []byte
	pos int
}

func (t *transformer) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errNotJSON, what, t.pos)
}

func (t *transformer) skipSpace() {
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

func (t *transformer) value(dst []byte, depth int) ([]byte, error) {
	if t.pos >= len(t.src) {
		return dst, t.fail("unexpected end")
	}
	switch c := t.src[t.pos]; {
	case c == '{':
		return t.object(dst, depth+1)
	case c == '[':
		return t.array(dst, depth+1)
	case c == '"':
		s, simple, err := t.str()
		if err != nil {
			return dst, err
		}
		return appendStr(dst, s, simple), nil
	case c == 't':
		return t.literal(dst, "true")
	case c == 'f':
		return t.literal(dst, "false")
	case c == 'n':
		return t.literal(dst, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return t.number(dst)
	}
	return dst, t.fail("unexpected character")
}

func (t *transformer) literal(dst []byte, lit string) ([]byte, error) {
	if !bytes.HasPrefix(t.src[t.pos:], []byte(lit)) {
		return dst, t.fail("bad literal")
	}
	t.pos += len(lit)
	return append(dst, lit...), nil
}

// number checks the JSON number grammar and writes the number's ES6 form.
func (t *transformer) number(dst []byte) ([]byte, error) {
	start := t.pos
	p := t.pos
	s := t.src
	digits := func() int {
		n := 0
		for p < len(s) && s[p] >= '0' && s[p] <= '9' {
			p++
			n++
		}
		return n
	}
	if p < len(s) && s[p] == '-' {
		p++
	}
	if p < len(s) && s[p] == '0' {
		p++
	} else if digits() == 0 {
		return dst, t.fail("bad number")
	}
	if p < len(s) && s[p] == '.' {
		p++
		if digits() == 0 {
			return dst, t.fail("bad fraction")
		}
	}
	if p < len(s) && (s[p] == 'e' || s[p] == 'E') {
		p++
		if p < len(s) && (s[p] == '+' || s[p] == '-') {
			p++
		}
		if digits() == 0 {
			return dst, t.fail("bad exponent")
		}
	}
	t.pos = p
	f, err := strconv.ParseFloat(string(s[start:p]), 64)
	if err != nil {
		return dst, t.fail("number out of range")
	}
	n, err := jcs.NumberToJSON(f)
	if err != nil {
		return dst, t.fail("number not representable")
	}
	return append(dst, n...), nil
}

// appendStr writes a string read by str: a simple one is already in JCS
// form between its quotes.
func appendStr(dst, s []byte, simple bool) []byte {
	if simple {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendString(dst, string(s))
}

// str reads a string token and returns its decoded value. simple reports a
// string with no escapes, returned as its bytes in src, not copied.
func (t *transformer) str() ([]byte, bool, error) {
	t.pos++ // opening quote
	start := t.pos
	s := t.src
	simple := true
	for p := start; p < len(s); p++ {
		c := s[p]
		switch {
		case c == '"':
			if simple {
				raw := s[start:p]
				if !utf8.Valid(raw) {
					return nil, false, t.fail("invalid UTF-8")
				}
				t.pos = p + 1
				return raw, true, nil
			}
			dec, err := t.unescape(start)
			return dec, false, err
		case c == '\\':
			simple = false
			p++ // skip the escaped character; unescape checks it
		case c < 0x20:
			return nil, false, t.fail("control character in string")
		}
	}
	return nil, false, t.fail("unterminated string")
}

func (t *transformer) unescape(start int) ([]byte, error) {
	s := t.src
	var b []byte
	p := start
	for {
		if p >= len(s) {
			return nil, t.fail("unterminated string")
		}
		c := s[p]
		switch {
		case c == '"':
			t.pos = p + 1
			if !utf8.Valid(b) {
				return nil, t.fail("invalid UTF-8")
			}
			return b, nil
		case c < 0x20:
			return nil, t.fail("control character in string")
		case c != '\\':
			b = append(b, c)
			p++
			continue
		}
		if p+1 >= len(s) {
			return nil, t.fail("unterminated escape")
		}
		p++
		switch s[p] {
		case '"', '\\', '/':
			b = append(b, s[p])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, p+1)
			if !ok {
				return nil, t.fail("bad \\u escape")
			}
			p += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if r < 0xDC00 && p+6 < len(s) && s[p+1] == '\\' && s[p+2] == 'u' {
					r2, ok = hex4(s, p+3)
				}
				if !ok || r2 < 0xDC00 || r2 > 0xDFFF {
					return nil, t.fail("lone surrogate")
				}
				r = utf16.DecodeRune(r, r2)
				p += 6
			}
			b = utf8.AppendRune(b, r)
		default:
			return nil, t.fail("bad escape")
		}
		p++
	}
}

func hex4(s []byte, p int) (rune, bool) {
	if p+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[p : p+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (t *transformer) array(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, t.fail("nested too deep")
	}
	t.pos++
	dst = append(dst, '[')
	t.skipSpace()
	if t.pos < len(t.src) && t.src[t.pos] == ']' {
		t.pos++
		return append(dst, ']'), nil
	}
	for {
		var err error
		t.skipSpace()
		if dst, err = t.value(dst, depth); err != nil {
			return dst, err
		}
		t.skipSpace()
		if t.pos >= len(t.src) {
			return dst, t.fail("unterminated array")
		}
		switch t.src[t.pos] {
		case ',':
			t.pos++
			dst = append(dst, ',')
		case ']':
			t.pos++
			return append(dst, ']'), nil
		default:
			return dst, t.fail("expected , or ]")
		}
	}
}

// member is one canonicalised "key":value written in the output buffer.
type member struct {
	key        []byte
	start, end int
}

func (t *transformer) object(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, t.fail("nested too deep")
	}
	t.pos++
	dst = append(dst, '{')
	t.skipSpace()
	if t.pos < len(t.src) && t.src[t.pos] == '}' {
		t.pos++
		return append(dst, '}'), nil
	}
	var members []member
	sorted := true
	for {
		t.skipSpace()
		if t.pos >= len(t.src) || t.src[t.pos] != '"' {
			return dst, t.fail("expected a member name")
		}
		key, simple, err := t.str()
		if err != nil {
			return dst, err
		}
		t.skipSpace()
		if t.pos >= len(t.src) || t.src[t.pos] != ':' {
			return dst, t.fail("expected :")
		}
		t.pos++
		t.skipSpace()
		start := len(dst)
		dst = appendStr(dst, key, simple)
		dst = append(dst, ':')
		if dst, err = t.value(dst, depth); err != nil {
			return dst, err
		}
		if n := len(members); n > 0 && !utf16Less(members[n-1].key, key) {
			sorted = false
		}
		members = append(members, member{key: key, start: start, end: len(dst)})
		t.skipSpace()
		if t.pos >= len(t.src) {
			return dst, t.fail("unterminated object")
		}
		if t.src[t.pos] == ',' {
			t.pos++
			dst = append(dst, ',')
			continue
		}
		if t.src[t.pos] != '}' {
			return dst, t.fail("expected , or }")
		}
		t.pos++
		break
	}
	if !sorted {
		slices.SortFunc(members, func(a, b member) int {
			switch {
			case utf16Less(a.key, b.key):
				return -1
			case utf16Less(b.key, a.key):
				return 1
			}
			return 0
		})
		for i := 1; i < len(members); i++ {
			if bytes.Equal(members[i-1].key, members[i].key) {
				return dst, fmt.Errorf("%w: duplicate member %q", errNotJSON, members[i].key)
			}
		}
		// Rewrite the members in order from a copy of their region.
		from := members[0].start
		for _, m := range members {
			from = min(from, m.start)
		}
		region := append([]byte(nil), dst[from:]...)
		dst = dst[:from]
		for i, m := range members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, region[m.start-from:m.end-from]...)
		}
	}
	return append(dst, '}'), nil
}

// utf16Less orders member names by their UTF-16 code units, as RFC 8785
// requires. ASCII names, the usual case, compare as bytes.
func utf16Less(a, b []byte) bool {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case i == len(a) || i == len(b):
		// One is a prefix of the other, rune for rune.
		return len(a) < len(b)
	case a[i] < utf8.RuneSelf && b[i] < utf8.RuneSelf:
		return a[i] < b[i]
	}
	ua, ub := utf16.Encode([]rune(string(a))), utf16.Encode([]rune(string(b)))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}
