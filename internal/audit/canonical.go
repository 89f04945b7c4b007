package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// ZeroHash is the PrevHash of the first record of a chain.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Canonical returns the RFC 8785 (JCS) canonical JSON of v: object members
// sorted by their UTF-16 code units, no insignificant whitespace, numbers in
// their shortest ECMAScript form, strings with the minimal escapes. The same
// value always gives the same bytes, whatever Go version encoded it.
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	out, err := appendCanonical(make([]byte, 0, len(raw)), raw)
	if err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return out, nil
}

// isCanonical reports whether b is JSON already in JCS form.
func isCanonical(b []byte) bool {
	out, err := appendCanonical(make([]byte, 0, len(b)), b)
	return err == nil && bytes.Equal(out, b)
}

// formatTime is the one textual form of a record time: UTC, RFC 3339 with
// nanoseconds and no trailing zeros, as time.Time's MarshalJSON writes it.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// appendBody appends the JCS canonical JSON of e without its hash:
//
//	{"kind":…,"payload":…,"prev_hash":…,"seq":…,"tenant":…,"time":…}
//
// The members are written in JCS order by hand so that the payload, already
// canonical, is embedded verbatim and not parsed again. With withHash the
// "hash" member is written first, which is the JCS form of the whole entry
// (the export line).
func appendBody(b []byte, e *Entry, withHash bool) []byte {
	b = append(b, '{')
	if withHash {
		b = append(b, `"hash":`...)
		b = appendString(b, e.Hash)
		b = append(b, ',')
	}
	b = append(b, `"kind":`...)
	b = appendString(b, string(e.Kind))
	b = append(b, `,"payload":`...)
	if len(e.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Payload...)
	}
	b = append(b, `,"prev_hash":`...)
	b = appendString(b, e.PrevHash)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"tenant":`...)
	b = appendString(b, e.Tenant)
	b = append(b, `,"time":`...)
	b = appendString(b, formatTime(e.Time))
	return append(b, '}')
}

// hashEntry computes SHA-256(prev_hash bytes || canonical body). buf is
// scratch space, returned grown for reuse. A PrevHash that is not 64 hex
// digits contributes its raw bytes, so a damaged record still hashes (to a
// value that will not match) instead of failing.
func hashEntry(buf []byte, e *Entry) (string, []byte) {
	buf = buf[:0]
	var prev [sha256.Size]byte
	if len(e.PrevHash) == hex.EncodedLen(sha256.Size) {
		if _, err := hex.Decode(prev[:], []byte(e.PrevHash)); err == nil {
			buf = append(buf, prev[:]...)
		} else {
			buf = append(buf, e.PrevHash...)
		}
	} else {
		buf = append(buf, e.PrevHash...)
	}
	buf = appendBody(buf, e, false)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), buf
}

// appendString appends s as a JCS string: only '"', '\\' and the control
// characters are escaped (\b \t \n \f \r by name, the others as \u00xx with
// lowercase hex); everything else, HTML characters and non-ASCII included,
// is written as UTF-8. Invalid UTF-8 is written as U+FFFD, as a JSON
// decoder would read it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	if utf8.ValidString(s) {
		// Copy the runs that need no escape whole; only ASCII is escaped.
		run := 0
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 0x20 && c != '"' && c != '\\' {
				continue
			}
			b = append(b, s[run:i]...)
			b = appendEscape(b, s[i])
			run = i + 1
		}
		b = append(b, s[run:]...)
		return append(b, '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			b = append(b, c)
		} else {
			b = appendEscape(b, c)
		}
		i++
	}
	return append(b, '"')
}

// appendEscape appends the JCS escape of an ASCII '"', '\\' or control
// character.
func appendEscape(b []byte, c byte) []byte {
	const hexDigits = "0123456789abcdef"
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\t':
		return append(b, '\\', 't')
	case '\n':
		return append(b, '\\', 'n')
	case '\f':
		return append(b, '\\', 'f')
	case '\r':
		return append(b, '\\', 'r')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
