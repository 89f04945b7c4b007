package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Field is one top-level member of a JSON object: its unescaped key (bytes
// as written; invalid UTF-8 is not replaced) and the raw bytes of its
// value, both usually slices of the record.
type Field struct {
	Key   []byte
	Value []byte
}

// Fields are the top-level members of a record in document order. Looking
// a key up is a linear scan, which for the tens of keys alerts have is
// cheaper than building a map.
type Fields []Field

// Has reports whether key is present.
func (fs Fields) Has(key string) bool { return fs.Value(key) != nil }

// Value returns the raw JSON value of key, or nil when absent.
func (fs Fields) Value(key string) []byte {
	for _, f := range fs {
		if string(f.Key) == key {
			return f.Value
		}
	}
	return nil
}

// StringIs reports whether key holds the JSON string want (compared as
// written, so want must need no escaping).
func (fs Fields) StringIs(key, want string) bool {
	v := fs.Value(key)
	return len(v) == len(want)+2 && v[0] == '"' && string(v[1:len(v)-1]) == want
}

var errNotObject = errors.New("record is not a JSON object")

// ScanFields appends the top-level members of the JSON object raw to dst.
// It checks structure only as far as it needs to find the members; full
// validation is left to the decoder that reads the record afterwards.
func ScanFields(raw []byte, dst Fields) (Fields, error) {
	i := scanSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return dst, errNotObject
	}
	i = scanSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return dst, nil
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return dst, fmt.Errorf("%w: expected a key at byte %d", errNotObject, i)
		}
		end, esc := scanStringEnd(raw, i)
		if end < 0 {
			return dst, fmt.Errorf("%w: unterminated key", errNotObject)
		}
		key := raw[i+1 : end-1]
		if esc {
			var s string
			if err := json.Unmarshal(raw[i:end], &s); err != nil {
				return dst, fmt.Errorf("%w: bad key: %w", errNotObject, err)
			}
			key = []byte(s)
		}
		i = scanSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return dst, fmt.Errorf("%w: expected ':' at byte %d", errNotObject, i)
		}
		i = scanSpace(raw, i+1)
		vend := scanValueEnd(raw, i)
		if vend <= i {
			return dst, fmt.Errorf("%w: bad value at byte %d", errNotObject, i)
		}
		dst = append(dst, Field{Key: key, Value: raw[i:vend]})
		i = scanSpace(raw, vend)
		if i >= len(raw) {
			return dst, fmt.Errorf("%w: unterminated object", errNotObject)
		}
		switch raw[i] {
		case ',':
			i = scanSpace(raw, i+1)
		case '}':
			return dst, nil
		default:
			return dst, fmt.Errorf("%w: expected ',' or '}' at byte %d", errNotObject, i)
		}
	}
}
