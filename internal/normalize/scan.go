package normalize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// The member and element scanners shared by the decoders that stand in for
// encoding/json (crowdstrike, google_secops, proofpoint, sentinelone,
// splunk, suricata, wazuh). They read records
// that jsonscan.Valid has accepted, so they check structure only as far as
// they need to stay in bounds. They have their own loops rather than
// ScanFields because they also descend into nested objects, and a byte
// loop over the short strings of alert records measured about twice as
// fast as ScanFields' IndexByte calls per string.

// scanMembers calls set with each member of the JSON object obj
// (leading white space allowed); a value that is not an object has no
// members.
func scanMembers(obj []byte, set func(key, v []byte) error) error {
	_, err := scanObject(obj, set, nil)
	return err
}

// scanSub chooses, for a member whose value is an object, the setter
// (and, deeper down, the chooser) that reads that object's members; a nil
// setter leaves the value to the parent's setter.
type scanSub func(key []byte) (func(k, v []byte) error, scanSub)

// scanObject is scanMembers that also descends: for a member
// whose value is an object and for which sub returns a setter, it reads
// that object's members with the setter at once instead of finding the
// object's end first and scanning it a second time. b may run past the
// object; the result is the index just past it (0 when b holds no object).
func scanObject(b []byte, set func(key, v []byte) error, sub scanSub) (int, error) {
	i := scanSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return 0, nil
	}
	i = scanSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		kend, esc := scanStringEnd(b, i)
		if kend < 0 {
			return 0, errors.New("unterminated key")
		}
		key := b[i+1 : kend-1]
		if esc {
			k, err := unquote(b[i:kend])
			if err != nil {
				return 0, fmt.Errorf("bad key: %w", err)
			}
			key = []byte(k)
		}
		i = scanSpace(b, kend)
		if i >= len(b) || b[i] != ':' {
			return 0, fmt.Errorf("expected ':' at byte %d", i)
		}
		i = scanSpace(b, i+1)
		var fn func(k, v []byte) error
		var fnSub scanSub
		if sub != nil && i < len(b) && b[i] == '{' {
			fn, fnSub = sub(key)
		}
		if fn != nil {
			n, err := scanObject(b[i:], fn, fnSub)
			if err != nil {
				return 0, err
			}
			i += n
		} else {
			end := scanValueEnd(b, i)
			if end <= i {
				return 0, fmt.Errorf("bad value at byte %d", i)
			}
			if err := set(key, b[i:end]); err != nil {
				return 0, err
			}
			i = end
		}
		i = scanSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i = scanSpace(b, i+1)
		}
	}
	if i >= len(b) || b[i] != '}' {
		return 0, fmt.Errorf("expected '}' at byte %d", i)
	}
	return i + 1, nil
}

// scanElements calls fn with each element of the JSON array arr, in
// order; a value that is not an array has no elements.
func scanElements(arr []byte, fn func(el []byte) error) error {
	i := scanSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil
	}
	i = scanSpace(arr, i+1)
	for i < len(arr) && arr[i] != ']' {
		end := scanValueEnd(arr, i)
		if end <= i {
			return fmt.Errorf("bad array element at byte %d", i)
		}
		if err := fn(arr[i:end]); err != nil {
			return err
		}
		i = scanSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = scanSpace(arr, i+1)
		}
	}
	return nil
}

func scanSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// scanStringEnd returns the index just past the string starting at
// b[i] and whether it holds escapes; the index is -1 when the string is
// unterminated. It tests eight bytes at a time for a quote or backslash
// and jumps straight to the first one found, which matters for strings
// full of escapes such as a Splunk _raw holding a JSON record.
func scanStringEnd(b []byte, i int) (int, bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	esc := false
	j := i + 1
	for {
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			q, s := x^('"'*ones), x^('\\'*ones)
			// The lowest flagged byte is exact: the borrows that can flag
			// a byte wrongly only run upwards from a true match.
			if m := ((q-ones)&^q | (s-ones)&^s) & highs; m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= len(b) {
			return -1, esc
		}
		switch b[j] {
		case '\\':
			esc = true
			j += 2
		case '"':
			return j + 1, esc
		default:
			j++
		}
	}
}

// scanValueEnd returns the index just past the JSON value at b[i],
// or i when there is none.
func scanValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		end, _ := scanStringEnd(b, i)
		if end < 0 {
			return i
		}
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, _ := scanStringEnd(b, j)
				if end < 0 {
					return i
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return i
	}
	j := i
	for j < len(b) {
		switch b[j] {
		case ',', '}', ']', ' ', '\n', '\t', '\r':
			return j
		}
		j++
	}
	return j
}

// scanTexts decodes a JSON array of scalars, or one scalar, as
// texts does, without encoding/json.
func scanTexts(v []byte, dst *texts) error {
	if len(v) == 0 || v[0] != '[' {
		return dst.UnmarshalJSON(v)
	}
	out := (*dst)[:0]
	err := scanElements(v, func(el []byte) error {
		var t text
		if err := t.UnmarshalJSON(el); err != nil {
			return err
		}
		if t != "" {
			out = append(out, string(t))
		}
		return nil
	})
	*dst = out
	return err
}

// scanField returns the name among names that encoding/json would
// decode the member key into, or "" for none: an exact match, else a match
// under Unicode simple case folding, as encoding/json accepts ("SRC_IP",
// and "ſrc_ip" with a long s, both fill src_ip). Decoders that stand in
// for encoding/json use it for keys their fast path does not know.
func scanField(key []byte, names []string) string {
	for _, n := range names {
		if string(key) == n {
			return n
		}
	}
	ascii := true
	for _, c := range key {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	for _, n := range names {
		// An ASCII key folds onto an ASCII name only at equal length.
		if (!ascii || len(key) == len(n)) && bytes.EqualFold(key, []byte(n)) {
			return n
		}
	}
	return ""
}

// errJSONType reports a member whose JSON type the decoder cannot store,
// where encoding/json would fail with an UnmarshalTypeError.
func errJSONType(key string, v []byte) error {
	kind := "number"
	switch v[0] {
	case '"':
		kind = "string"
	case '[':
		kind = "array"
	case '{':
		kind = "object"
	case 't', 'f':
		kind = "bool"
	}
	return fmt.Errorf("cannot decode a JSON %s as %s", kind, key)
}
