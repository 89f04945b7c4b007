package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// IBM QRadar Log Event Extended Format 1.0 and 2.0 lines, bare or behind a
// syslog header:
//
//	LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...
//	LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|key=value<Delimiter>...
//
// The LEEF 2.0 delimiter field is optional and is a single character or its
// hex code ("x09", "0x5E"). Reference:
// https://www.ibm.com/docs/en/dsm?topic=overview-leef-event-components
// PAN-OS writes LEEF 1.0 with '|' between attributes; a 1.0 (or 2.0
// without delimiter) line whose attributes hold no TAB but a '|' is read
// that way. The mapping and severity tables are in docs/formats.md.
func init() { Register(leef{}) }

type leef struct{}

var _ TextFormat = leef{}

var errLEEF = errors.New("not a LEEF record")

// leefEvent is one parsed LEEF line.
type leefEvent struct {
	syslog  syslogHeader
	version string
	vendor  string
	product string
	devVer  string
	eventID string
	attrs   []cefPair
}

func (leef) Name() string { return "leef" }

// Detect is never called for text records; LEEF claims no JSON record.
func (leef) Detect(Fields, []byte) bool { return false }

// DetectText claims a line whose first CEF/LEEF marker is "LEEF:" followed
// by a version number and '|'.
func (leef) DetectText(raw []byte) bool {
	m, i := syslogMarker(raw)
	return m == "LEEF" && syslogVersioned(raw, i+len("LEEF:"))
}

func (leef) Normalize(raw []byte) (alert.Alert, error) {
	ev, err := leefParse(string(raw))
	if err != nil {
		return alert.Alert{}, err
	}
	return ev.alert(raw)
}

// leefParse splits a line into syslog header, LEEF header and attributes.
func leefParse(line string) (leefEvent, error) {
	var ev leefEvent
	line = strings.TrimRight(line, "\r\n")
	m, at := syslogMarker([]byte(line))
	if m != "LEEF" {
		return ev, fmt.Errorf("%w: no LEEF: marker", errLEEF)
	}
	var err error
	if ev.syslog, err = syslogParse(line[:at]); err != nil {
		return ev, fmt.Errorf("%w: %w", errLEEF, err)
	}
	f := strings.SplitN(line[at+len("LEEF:"):], "|", 6)
	if len(f) < 6 {
		return ev, fmt.Errorf("%w: header has %d of 6 fields", errLEEF, len(f))
	}
	ev.version, ev.vendor, ev.product, ev.devVer, ev.eventID = f[0], f[1], f[2], f[3], f[4]
	if ev.version != "1.0" && ev.version != "2.0" && ev.version != "1" && ev.version != "2" {
		return ev, fmt.Errorf("%w: version %q is not 1.0 or 2.0", errLEEF, ev.version)
	}
	rest := f[5]
	delim := byte('\t')
	if ev.version[0] == '2' {
		if field, tail, ok := strings.Cut(rest, "|"); ok {
			if d, isDelim, err := leefDelimiter(field); err != nil {
				return ev, err
			} else if isDelim {
				delim, rest = d, tail
			}
		}
	}
	if delim == '\t' && !strings.Contains(rest, "\t") && strings.Contains(rest, "|") {
		delim = '|'
	}
	ev.attrs = leefAttributes(rest, delim, make([]cefPair, 0, strings.Count(rest, "=")))
	return ev, nil
}

// leefDelimiter reads a LEEF 2.0 delimiter field. isDelim is false when
// the field is no delimiter but the first attribute (the field is optional).
func leefDelimiter(field string) (d byte, isDelim bool, err error) {
	switch {
	case field == "":
		return '\t', true, nil
	case len(field) == 1 && field != "=":
		return field[0], true, nil
	case strings.Contains(field, "="):
		return 0, false, nil
	}
	h := strings.TrimPrefix(strings.TrimPrefix(field, "0"), "x")
	if h == strings.TrimPrefix(field, "0") && !strings.HasPrefix(field, "x") {
		h = "" // neither x.. nor 0x..
	}
	n, perr := strconv.ParseUint(h, 16, 8)
	if h == "" || perr != nil || n == 0 || n == '=' {
		return 0, false, fmt.Errorf("%w: delimiter %q is neither a character nor a hex code", errLEEF, field)
	}
	return byte(n), true, nil
}

// leefAttributes splits "k=v<d>k=v" into pairs; a piece without '=' is
// part of the previous value (the delimiter occurred inside it).
func leefAttributes(s string, d byte, dst []cefPair) []cefPair {
	for s != "" {
		piece := s
		if i := strings.IndexByte(s, d); i >= 0 {
			piece, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		k, v, ok := strings.Cut(piece, "=")
		switch {
		case ok && k != "" && !strings.ContainsAny(k, " \t"):
			dst = append(dst, cefPair{k, v})
		case len(dst) > 0:
			dst[len(dst)-1].val += string(d) + piece
		}
	}
	return dst
}

// leefSeverity maps sev, 1 (lowest) to 10, as CEF's scale: 0-3 low, 4-6
// medium, 7-8 high, 9-10 critical; a record without sev is info.
func leefSeverity(s string) (alert.Severity, error) {
	if s == "" {
		return alert.SeverityInfo, nil
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil || n < 0 || n > 10:
		return "", fmt.Errorf("%w: sev %q is not 1-10", errLEEF, s)
	case n <= 3:
		return alert.SeverityLow, nil
	case n <= 6:
		return alert.SeverityMedium, nil
	case n <= 8:
		return alert.SeverityHigh, nil
	}
	return alert.SeverityCritical, nil
}

// leefFields are the attributes the mapping reads.
type leefFields struct {
	devTime, devTimeFormat, sev, cat, name, desc, msg string
	src, dst, srcPort, dstPort, proto, action         string
	users                                             []string
	identSrc, identHost, url, domain                  string
	fileName, filePath, hash                          []string
}

func (f *leefFields) set(k, v string) {
	switch k {
	case "devTime":
		f.devTime = v
	case "devTimeFormat":
		f.devTimeFormat = v
	case "sev", "severity":
		f.sev = cefFirst(f.sev, v)
	case "cat":
		f.cat = v
	case "name":
		f.name = v
	case "desc":
		f.desc = v
	case "msg":
		f.msg = v
	case "src":
		f.src = v
	case "dst":
		f.dst = v
	case "srcPort":
		f.srcPort = v
	case "dstPort":
		f.dstPort = v
	case "proto":
		f.proto = v
	case "action":
		f.action = v
	case "usrName", "accountName", "SourceUser", "DestinationUser":
		f.users = append(f.users, v)
	case "identSrc":
		f.identSrc = v
	case "identHostName", "identNetBios":
		f.identHost = cefFirst(f.identHost, v)
	case "url":
		f.url = v
	case "domain":
		f.domain = v
	case "fileName":
		f.fileName = append(f.fileName, v)
	case "filePath":
		f.filePath = append(f.filePath, v)
	case "fileHash", "md5", "sha1", "sha256":
		f.hash = append(f.hash, v)
	}
}

func (ev *leefEvent) alert(raw []byte) (alert.Alert, error) {
	var f leefFields
	for _, p := range ev.attrs {
		v := p.val
		if ev.syslog.present {
			v = syslogUnescape(v)
		}
		if v = strings.TrimSpace(v); v != "" {
			f.set(p.key, v)
		}
	}
	sev, err := leefSeverity(f.sev)
	if err != nil {
		return alert.Alert{}, err
	}
	title := f.name
	switch {
	case title != "":
	case f.cat != "" && ev.eventID != "":
		title = f.cat + " " + ev.eventID
	default:
		title = strings.TrimSpace(ev.product + " " + ev.eventID)
	}
	if title == "" {
		return alert.Alert{}, fmt.Errorf("%w: no name, category, product or event ID", errLEEF)
	}
	a := alert.Alert{
		Source:         "leef",
		ID:             alert.ContentID("leef", raw),
		Title:          title,
		Description:    cefFirst(f.desc, f.msg),
		Severity:       sev,
		SourceSeverity: f.sev,
		Rule:           alert.Rule{ID: ev.eventID, Name: cefFirst(f.name, ev.eventID), Category: f.cat},
	}
	for _, t := range [][2]string{{"vendor:", ev.vendor}, {"product:", ev.product}, {"action:", f.action}, {"proto:", f.proto}} {
		if v := strings.TrimSpace(t[1]); v != "" {
			a.Rule.Tags = append(a.Rule.Tags, t[0]+v)
		}
	}
	if f.msg != "" && f.msg != a.Description {
		a.Text = append(a.Text, f.msg)
	}
	if a.Time, err = f.time(ev.syslog); err != nil {
		return alert.Alert{}, err
	}
	f.entities(&a.Entities, ev.syslog)
	return a, nil
}

// time reads devTime with devTimeFormat (a Java date pattern) when given,
// else with the ArcSight layouts and epochs; without devTime it is an RFC
// 5424 header's time or unset.
func (f *leefFields) time(h syslogHeader) (time.Time, error) {
	if f.devTime == "" {
		return h.time, nil
	}
	if f.devTimeFormat != "" {
		layout, ok := syslogJavaLayout(f.devTimeFormat)
		if !ok {
			return time.Time{}, fmt.Errorf("%w: devTimeFormat %q not understood", errLEEF, f.devTimeFormat)
		}
		t, err := time.Parse(layout, f.devTime)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: devTime %q with format %q: %w", errLEEF, f.devTime, f.devTimeFormat, err)
		}
		return t.UTC(), nil
	}
	t, err := syslogVendorTime(f.devTime)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: devTime: %w", errLEEF, err)
	}
	return t, nil
}

func (f *leefFields) entities(e *alert.Entities, h syslogHeader) {
	switch {
	case f.identHost != "" || f.identSrc != "":
		e.Hosts = append(e.Hosts, alert.Host{Name: f.identHost, IP: cefAddr(f.identSrc)})
	case h.host != "":
		e.Hosts = append(e.Hosts, alert.Host{Name: h.host})
	}
	if ep, ok := endpoint(f.src, f.srcPort); ok {
		e.Src = append(e.Src, ep)
	}
	if ep, ok := endpoint(f.dst, f.dstPort); ok {
		e.Dst = append(e.Dst, ep)
	}
	for _, u := range f.users {
		if u := cefUser(u, f.domain); !cefHasUser(e.Users, u) {
			e.Users = append(e.Users, u)
		}
	}
	for i := range max(len(f.fileName), len(f.filePath), len(f.hash)) {
		cefFile(e, leefAt(f.fileName, i), leefAt(f.filePath, i), leefAt(f.hash, i))
	}
	if f.url != "" {
		e.URLs = appendUnique(e.URLs, f.url)
	}
}

func leefAt(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
