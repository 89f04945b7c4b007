package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/winnow-soc/winnow/alert"
)

// text decodes a JSON string, number or boolean as a string, the first
// non-empty string of an array, and null or an object as "". Vendors are
// loose about types (Wazuh and Splunk send numbers as strings, Suricata
// the reverse), so typed records use it for every scalar.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*t = text(b[1 : len(b)-1])
			return nil
		}
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*t = text(s)
	case '[':
		var all texts
		if err := json.Unmarshal(b, &all); err != nil {
			return err
		}
		*t = ""
		if i := slices.IndexFunc(all, func(s string) bool { return s != "" }); i >= 0 {
			*t = text(all[i])
		}
	case '{', 'n':
		*t = ""
	default:
		*t = text(b)
	}
	return nil
}

// texts decodes a JSON array of scalars, or one scalar, as strings.
type texts []string

func (ts *texts) UnmarshalJSON(b []byte) error {
	if b[0] != '[' {
		var t text
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		*ts = nil
		if t != "" {
			*ts = texts{string(t)}
		}
		return nil
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(texts, 0, len(raw))
	for _, r := range raw {
		var t text
		if err := t.UnmarshalJSON(r); err != nil {
			return err
		}
		if t != "" {
			out = append(out, string(t))
		}
	}
	*ts = out
	return nil
}

// unquote decodes a JSON string literal that encoding/json has already
// validated. It exists because calling json.Unmarshal from UnmarshalJSON
// validates the bytes a second time, which doubled the cost of records
// such as Splunk results whose _raw is one long escaped string.
func unquote(b []byte) (string, error) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", errors.New("not a JSON string")
	}
	if !utf8.Valid(b) {
		// encoding/json replaces invalid bytes one by one; let it.
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	b = b[1 : len(b)-1]
	var sb strings.Builder
	sb.Grow(len(b))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			sb.Write(b)
			break
		}
		sb.Write(b[:i])
		if i+1 >= len(b) {
			return "", errors.New("bad escape in JSON string")
		}
		c := b[i+1]
		b = b[i+2:]
		switch c {
		case '"', '\\', '/':
			sb.WriteByte(c)
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'u':
			r, n := unquoteU(b)
			if n == 0 {
				return "", errors.New("bad \\u escape in JSON string")
			}
			sb.WriteRune(r)
			b = b[n:]
		default:
			return "", errors.New("bad escape in JSON string")
		}
	}
	return sb.String(), nil
}

// unquoteU decodes the hex digits after a \u (and a following low
// surrogate escape, if any) and returns the rune and bytes consumed.
func unquoteU(b []byte) (rune, int) {
	r := hex4(b)
	if r < 0 {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if len(b) >= 10 && b[4] == '\\' && b[5] == 'u' {
			if r2 := hex4(b[6:]); r2 >= 0 {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return dec, 10
				}
			}
		}
		return utf8.RuneError, 4
	}
	return r, 4
}

func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

var errTime = errors.New("unrecognised time")

// timeLayouts are the timestamp shapes seen in the supported formats.
var timeLayouts = []string{
	time.RFC3339Nano,                     // 2024-06-05T09:15:24.000+00:00, ...Z
	"2006-01-02T15:04:05.999999999Z0700", // 2017-11-04T13:20:24.289881+0000
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999", // no zone: taken as UTC
	"2006-01-02 15:04:05.999999999",
}

// parseTime parses any supported timestamp, including Unix epochs in
// seconds, milliseconds, microseconds or nanoseconds, and returns it in UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: empty", errTime)
	}
	if s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:T ") {
		return parseEpoch(s)
	}
	// A "+0000"-style zone (Suricata, Wazuh) goes straight to its layout:
	// a failed time.Parse costs an error allocation per alert.
	if n := len(s); n > 5 && (s[n-5] == '+' || s[n-5] == '-') && s[n-3] != ':' && s[n-4] != ':' {
		if t, err := time.Parse(timeLayouts[1], s); err == nil {
			return t.UTC(), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", errTime, s)
}

func parseEpoch(s string) (time.Time, error) {
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", errTime, s)
	}
	var nanos int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, err := strconv.ParseInt(frac, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %q", errTime, s)
		}
		for range 9 - len(frac) {
			n *= 10
		}
		nanos = n
	}
	// Scale by magnitude: seconds reach 1e11 only after the year 5000.
	switch {
	case sec < 1e11:
		return time.Unix(sec, nanos).UTC(), nil
	case sec < 1e14:
		return time.UnixMilli(sec).UTC(), nil
	case sec < 1e17:
		return time.UnixMicro(sec).UTC(), nil
	}
	return time.Unix(0, sec).UTC(), nil
}

// endpoint builds a network endpoint from an address that may carry a
// port ("10.0.0.1:80", "[::1]:80") and a separate port; ok is false when
// there is neither an IP nor a host name. A value that is not an IP but
// contains a letter becomes the hostname.
func endpoint(addr, port string) (alert.Endpoint, bool) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return alert.Endpoint{}, false
	}
	e := alert.Endpoint{Port: atoi(port)}
	if ip, err := netip.ParseAddr(addr); err == nil {
		e.IP = ip.String()
	} else if ap, err := netip.ParseAddrPort(addr); err == nil {
		e.IP = ap.Addr().String()
		if e.Port == 0 {
			e.Port = int(ap.Port())
		}
	} else if strings.ContainsFunc(addr, isLetter) {
		e.Hostname = addr
	} else {
		// Neither an IP nor a name ("000.111.222.10" in redacted data):
		// the value stays in Raw but is no entity.
		return alert.Endpoint{}, false
	}
	return e, true
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f >= 0 && f < 1<<31 {
			return int(f)
		}
		return 0
	}
	return n
}

// appendUnique appends the non-empty values of vs not already in list.
func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// appendUser appends a user unless one of that name is present.
func appendUser(users []alert.User, name string) []alert.User {
	name = strings.TrimSpace(name)
	if name == "" || slices.ContainsFunc(users, func(u alert.User) bool { return u.Name == name }) {
		return users
	}
	return append(users, alert.User{Name: name})
}

// appendDomain appends a DNS name, skipping IP literals and duplicates.
func appendDomain(list []string, name string) []string {
	name = strings.TrimSuffix(strings.TrimSpace(name), ".")
	if name == "" || isIP(name) {
		return list
	}
	return appendUnique(list, name)
}

// hashFile sorts a hash of unknown kind into a File by its length.
func hashFile(f *alert.File, h string) {
	switch len(h) {
	case 32:
		f.MD5 = h
	case 40:
		f.SHA1 = h
	case 64:
		f.SHA256 = h
	}
}

// isTechniqueID reports whether s looks like an ATT&CK technique ID
// (T1234 or T1234.001).
func isTechniqueID(s string) bool {
	if len(s) != 5 && len(s) != 9 || s[0] != 'T' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if i == 5 {
			if c != '.' {
				return false
			}
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
