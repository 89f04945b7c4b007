package normalize

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// ArcSight Common Event Format lines, bare or behind an RFC 3164 / RFC 5424
// syslog header:
//
//	CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
//
// Reference: "Micro Focus Security ArcSight Common Event Format, Version
// 25" (https://www.microfocus.com/documentation/arcsight/arcsight-smartconnectors/pdfdoc/common-event-format-v25/common-event-format-v25.pdf).
// The mapping and severity tables are in docs/formats.md.
func init() { Register(cef{}) }

type cef struct{}

var _ TextFormat = cef{}

// cefHeaderFields is the number of '|'-separated fields before the
// extension, counting the version after "CEF:".
const cefHeaderFields = 7

// cefPair is one extension key and its unescaped value.
type cefPair struct{ key, val string }

// cefEvent is one parsed CEF line.
type cefEvent struct {
	syslog  syslogHeader
	header  [cefHeaderFields]string // version, vendor, product, device version, signature ID, name, severity
	ext     []cefPair
	escaped bool // values passed through a syslog relay: decode #ooo escapes
}

func (cef) Name() string { return "cef" }

// Detect is never called for text records; CEF claims no JSON record.
func (cef) Detect(Fields, []byte) bool { return false }

// DetectText claims a line whose first CEF/LEEF marker is "CEF:" followed
// by a version number and '|'.
func (cef) DetectText(raw []byte) bool {
	m, i := syslogMarker(raw)
	return m == "CEF" && syslogVersioned(raw, i+len("CEF:"))
}

func (cef) Normalize(raw []byte) (alert.Alert, error) {
	ev, err := cefParse(string(raw))
	if err != nil {
		return alert.Alert{}, err
	}
	return ev.alert(raw)
}

var errCEF = errors.New("not a CEF record")

// cefParse splits a line into syslog header, CEF header and extension.
func cefParse(line string) (cefEvent, error) {
	var ev cefEvent
	line = strings.TrimRight(line, "\r\n")
	m, at := syslogMarker([]byte(line))
	if m != "CEF" {
		return ev, fmt.Errorf("%w: no CEF: marker", errCEF)
	}
	var err error
	if ev.syslog, err = syslogParse(line[:at]); err != nil {
		return ev, fmt.Errorf("%w: %w", errCEF, err)
	}
	ev.escaped = ev.syslog.present
	rest := line[at+len("CEF:"):]
	for i := range cefHeaderFields {
		field, tail, ok := cefHeaderField(rest)
		if !ok {
			return ev, fmt.Errorf("%w: header has %d of %d fields", errCEF, i, cefHeaderFields)
		}
		ev.header[i] = field
		rest = tail
	}
	if !syslogDigits(ev.header[0]) {
		return ev, fmt.Errorf("%w: version %q is not a number", errCEF, ev.header[0])
	}
	ev.ext = cefExtension(rest, make([]cefPair, 0, strings.Count(rest, "=")))
	return ev, nil
}

// cefHeaderField returns the header field before the next unescaped '|',
// with "\|" and "\\" decoded.
func cefHeaderField(s string) (field, rest string, ok bool) {
	esc := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			esc = true
			i++
		case '|':
			if !esc {
				return s[:i], s[i+1:], true
			}
			var b strings.Builder
			for j := 0; j < i; j++ {
				if s[j] == '\\' && j+1 < i && (s[j+1] == '|' || s[j+1] == '\\') {
					j++
				}
				b.WriteByte(s[j])
			}
			return b.String(), s[i+1:], true
		}
	}
	return "", "", false
}

// cefExtension splits "k1=v1 k2=v two k3=v3" into pairs. A value runs until
// the next " key=" whose '=' is unescaped; spaces inside values are kept.
// Text before the first key (some vendors leave a space or junk) is
// dropped.
func cefExtension(s string, dst []cefPair) []cefPair {
	key, i := "", 0
	start := -1 // start of the current value
	for i < len(s) {
		if start < 0 {
			k, next := cefKeyAt(s, i)
			if next < 0 {
				i++
				continue
			}
			key, start, i = k, next, next
			continue
		}
		if s[i] == '\\' {
			i += 2
			continue
		}
		if s[i] == ' ' {
			if k, next := cefKeyAt(s, i+1); next >= 0 {
				dst = append(dst, cefPair{key, cefValue(s[start:i])})
				key, start, i = k, next, next
				continue
			}
		}
		i++
	}
	if start >= 0 {
		dst = append(dst, cefPair{key, cefValue(s[start:])})
	}
	return dst
}

// cefKeyAt returns the key starting at s[i] and the index after its '=',
// or next = -1 when s[i:] does not start with "word=".
func cefKeyAt(s string, i int) (key string, next int) {
	j := i
	for j < len(s) && cefKeyByte(s[j]) {
		j++
	}
	if j == i || j >= len(s) || s[j] != '=' {
		return "", -1
	}
	return s[i:j], j + 1
}

func cefKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '[' || c == ']'
}

// cefValue decodes the extension escapes \= \\ \n \r and trims the spaces
// that separate pairs.
func cefValue(v string) string {
	v = strings.TrimRight(v, " ")
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '=', '\\':
				b.WriteByte(v[i+1])
				i++
				continue
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// cefSeverity maps the header severity: an integer 0-10 or one of the
// names CEF 25 defines.
//
//	0-3 or Low -> low, 4-6 or Medium -> medium, 7-8 or High -> high,
//	9-10 or Very-High -> critical, Unknown -> info
func cefSeverity(s string) (alert.Severity, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		switch {
		case n < 0 || n > 10:
		case n <= 3:
			return alert.SeverityLow, nil
		case n <= 6:
			return alert.SeverityMedium, nil
		case n <= 8:
			return alert.SeverityHigh, nil
		default:
			return alert.SeverityCritical, nil
		}
		return "", fmt.Errorf("%w: severity %q outside 0-10", errCEF, s)
	}
	switch strings.ToLower(t) {
	case "unknown":
		return alert.SeverityInfo, nil
	case "low":
		return alert.SeverityLow, nil
	case "medium":
		return alert.SeverityMedium, nil
	case "high":
		return alert.SeverityHigh, nil
	case "very-high", "very high", "veryhigh":
		return alert.SeverityCritical, nil
	}
	return "", fmt.Errorf("%w: severity %q is neither 0-10 nor a CEF name", errCEF, s)
}

// cefUser splits "DOMAIN\user" into a user; a separate domain key wins.
func cefUser(name, domain string) alert.User {
	if d, n, ok := strings.Cut(name, `\`); ok && d != "" && n != "" {
		if domain == "" {
			domain = d
		}
		name = n
	}
	return alert.User{Name: name, Domain: domain}
}

// cefAddr strips a CIDR suffix ("192.168.12.33/8", as WithSecure writes
// host addresses) and returns the address if it is an IP.
func cefAddr(s string) string {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Addr().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return ""
}

// cefUnquote drops one pair of matching quotes around a value, as in
// Radiflow's cat='Link'.
func cefUnquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
