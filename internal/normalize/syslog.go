package normalize

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// syslogHeader is what a syslog header in front of a CEF or LEEF payload
// tells: RFC 3164 ("<PRI>Mmm dd hh:mm:ss host tag[pid]:", PRI optional),
// RFC 5424 ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD") or none at all.
type syslogHeader struct {
	present bool
	time    time.Time // zero for RFC 3164, whose stamps carry no year
	stamp   string    // the timestamp as written
	host    string
	app     string
	pid     string
}

// syslogMarker finds the payload of a text record: the first "CEF:" or
// "LEEF:" at the start of the line or after a space. It returns the marker
// without its colon ("CEF" or "LEEF") and the offset where it starts, or ""
// when there is none. CEF and LEEF detection both use it, so a line is
// claimed by the format whose marker comes first and never by both.
func syslogMarker(raw []byte) (string, int) {
	for off := 0; ; {
		i := bytes.Index(raw[off:], []byte("EF:"))
		if i < 0 {
			return "", -1
		}
		i += off
		switch {
		case i >= 1 && raw[i-1] == 'C' && syslogBoundary(raw, i-1):
			return "CEF", i - 1
		case i >= 2 && raw[i-1] == 'E' && raw[i-2] == 'L' && syslogBoundary(raw, i-2):
			return "LEEF", i - 2
		}
		off = i + 3
	}
}

func syslogBoundary(raw []byte, i int) bool { return i == 0 || raw[i-1] == ' ' }

// syslogVersioned reports whether raw[i:] is a version ("0", "1.0") of at
// most four characters followed by '|', as after "CEF:" and "LEEF:"; it
// keeps prose such as "CEF:0 lines" from being claimed.
func syslogVersioned(raw []byte, i int) bool {
	for j := i; j < len(raw) && j <= i+4; j++ {
		switch c := raw[j]; {
		case c == '|':
			return j > i
		case c >= '0' && c <= '9', c == '.' && j > i:
		default:
			return false
		}
	}
	return false
}

// syslogParse reads the header in front of a payload (the bytes before the
// marker). An empty prefix is no header; a prefix that is neither syslog
// form is an error, so that arbitrary text before "CEF:" is not silently
// accepted.
func syslogParse(prefix string) (syslogHeader, error) {
	h := syslogHeader{}
	p := strings.TrimSpace(prefix)
	if p == "" {
		return h, nil
	}
	h.present = true
	if p[0] == '<' {
		end := strings.IndexByte(p, '>')
		if end < 2 || end > 4 || !syslogDigits(p[1:end]) {
			return h, fmt.Errorf("syslog header %q: bad priority", syslogShort(p))
		}
		p = p[end+1:]
	}
	if strings.HasPrefix(p, "1 ") {
		return syslog5424(h, p[2:])
	}
	return syslog3164(h, p)
}

// syslog5424 reads "TIMESTAMP HOST APP PROCID MSGID SD" ("-" for nil).
func syslog5424(h syslogHeader, p string) (syslogHeader, error) {
	f := strings.SplitN(p, " ", 6)
	if len(f) < 5 {
		return h, fmt.Errorf("syslog header %q: RFC 5424 header too short", syslogShort(p))
	}
	nil5424 := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	if ts := nil5424(f[0]); ts != "" {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return h, fmt.Errorf("syslog header: RFC 5424 timestamp %q: %w", ts, err)
		}
		h.time, h.stamp = t.UTC(), ts
	}
	h.host, h.app, h.pid = nil5424(f[1]), nil5424(f[2]), nil5424(f[3])
	return h, nil
}

// syslog3164 reads "Mmm dd hh:mm:ss host [tag[pid][:]]"; the stamp has no
// year, so the time stays unset (normalisation is deterministic and must
// not guess the year from the clock) and the stamp is kept as written.
func syslog3164(h syslogHeader, p string) (syslogHeader, error) {
	const layout = "Jan _2 15:04:05"
	if len(p) < len(layout) {
		return h, fmt.Errorf("syslog header %q: too short", syslogShort(p))
	}
	if _, err := time.Parse(layout, p[:len(layout)]); err != nil {
		return h, fmt.Errorf("syslog header %q: RFC 3164 timestamp: %w", syslogShort(p), err)
	}
	h.stamp = p[:len(layout)]
	rest := strings.Fields(p[len(layout):])
	if len(rest) == 0 || len(rest) > 2 {
		return h, fmt.Errorf("syslog header %q: want host and optional tag", syslogShort(p))
	}
	h.host = rest[0]
	if len(rest) == 2 {
		tag := strings.TrimSuffix(rest[1], ":")
		if open := strings.IndexByte(tag, '['); open > 0 && strings.HasSuffix(tag, "]") {
			h.pid = tag[open+1 : len(tag)-1]
			tag = tag[:open]
		}
		h.app = tag
	}
	return h, nil
}

func syslogDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func syslogShort(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// syslogUnescape decodes the "#ooo" octal escapes rsyslog writes for
// control characters ("#012" for a newline), as seen in messages that
// passed through a syslog relay.
func syslogUnescape(s string) string {
	if !strings.Contains(s, "#0") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "#0")
		if i < 0 || i+4 > len(s) {
			break
		}
		n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
		if err != nil || n >= 0x20 {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteByte(byte(n))
		s = s[i+4:]
	}
	b.WriteString(s)
	return b.String()
}

// syslogVendorTimeLayouts are the timestamp shapes CEF rt/start/end and
// LEEF devTime use when no explicit format is given: ArcSight's
// "MMM dd yyyy HH:mm:ss[.SSS][ zzz]" first.
var syslogVendorTimeLayouts = []string{
	"Jan 2 2006 15:04:05",
	"Jan 2 2006 15:04:05.000",
	"Jan 2 2006 15:04:05 MST",
	"Jan 2 2006 15:04:05.000 MST",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 2006 15:04:05.000 -0700",
}

// syslogVendorTime parses a CEF or LEEF timestamp: an epoch (seconds or
// milliseconds), the ArcSight layouts, or any shape parseTime knows. Zone
// abbreviations other than UTC and GMT carry no offset here (Go cannot
// resolve them reliably), so they are taken as UTC.
func syslogVendorTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return parseTime(s)
	}
	for _, l := range syslogVendorTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", errTime, s)
}

// syslogJavaLayout converts a Java SimpleDateFormat pattern (LEEF's
// devTimeFormat) to a Go layout; ok is false for letters it does not know.
func syslogJavaLayout(p string) (string, bool) {
	repl := []struct{ java, golang string }{
		{"yyyy", "2006"}, {"yy", "06"}, {"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"},
		{"dd", "02"}, {"d", "2"}, {"HH", "15"}, {"hh", "03"}, {"mm", "04"}, {"ss", "05"},
		{"SSS", "000"}, {"EEEE", "Monday"}, {"EEE", "Mon"}, {"zzz", "MST"}, {"z", "MST"},
		{"XXX", "Z07:00"}, {"Z", "-0700"}, {"a", "PM"},
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] == '\'' { // quoted literal
			end := strings.IndexByte(p[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(p[i+1 : i+1+end])
			i += end + 2
			continue
		}
		matched := false
		for _, r := range repl {
			if strings.HasPrefix(p[i:], r.java) {
				b.WriteString(r.golang)
				i += len(r.java)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if c := p[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return "", false
		}
		b.WriteByte(p[i])
		i++
	}
	return b.String(), true
}
