package normalize

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Suricata EVE JSON records with event_type "alert". Reference:
// https://docs.suricata.io/en/latest/output/eve/eve-json-format.html
func init() { Register(suricata{}) }

type suricata struct{}

// eve holds the EVE fields Winnow reads; packet and payload (base64) are
// deliberately absent: they are not text to mine. The json tags name the
// members decode reads; they also let the tests decode the same struct with
// encoding/json to hold decode to its behaviour.
type eve struct {
	Timestamp text      `json:"timestamp"`
	EventType text      `json:"event_type"`
	SrcIP     text      `json:"src_ip"`
	SrcPort   text      `json:"src_port"`
	DestIP    text      `json:"dest_ip"`
	DestPort  text      `json:"dest_port"`
	Alert     *eveAlert `json:"alert"`
	HTTP      eveHTTP   `json:"http"`
	TLS       eveTLS    `json:"tls"`
	DNS       eveDNS    `json:"dns"`
	SMB       eveSMB    `json:"smb"`
	Fileinfo  eveFile   `json:"fileinfo"`

	// What suricata.Detect would see, noted by decode: the first member
	// named exactly event_type, and whether one is named exactly alert.
	firstEventType []byte
	hasAlert       bool
}

type eveAlert struct {
	SignatureID text             `json:"signature_id"`
	Signature   text             `json:"signature"`
	Category    text             `json:"category"`
	Severity    text             `json:"severity"`
	GID         text             `json:"gid"`
	Rev         text             `json:"rev"`
	Metadata    map[string]texts `json:"metadata"`
}

type eveHTTP struct {
	Hostname  text `json:"hostname"`
	URL       text `json:"url"`
	UserAgent text `json:"http_user_agent"`
	Refer     text `json:"http_refer"`
	Redirect  text `json:"redirect"`
}

type eveTLS struct {
	SNI     text `json:"sni"`
	Subject text `json:"subject"`
}

type eveDNS struct {
	RRName text       `json:"rrname"`
	Query  []eveQuery `json:"query"`
}

type eveQuery struct {
	RRName text `json:"rrname"`
}

type eveSMB struct {
	Filename text `json:"filename"`
}

type eveFile struct {
	Filename text `json:"filename"`
	MD5      text `json:"md5"`
	SHA1     text `json:"sha1"`
	SHA256   text `json:"sha256"`
}

func (suricata) Name() string { return "suricata" }

func (suricata) Detect(fs Fields, _ []byte) bool {
	return fs.StringIs("event_type", "alert") && fs.Has("alert")
}

// Normalize validates the record once and then reads only the members it
// needs with the member scanner (eve.decode) rather than encoding/json,
// which validated the record a second time and decoded by reflection; the
// result is the same as decoding into eve with encoding/json, which
// FuzzEVEDecode checks.
func (suricata) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("decode eve: record is not valid JSON")
	}
	var e eve
	if err := e.decode(raw); err != nil {
		return alert.Alert{}, fmt.Errorf("decode eve: %w", err)
	}
	return e.alert(raw)
}

// alert builds the alert of a decoded record.
func (e *eve) alert(raw []byte) (alert.Alert, error) {
	if e.EventType != "alert" || e.Alert == nil {
		return alert.Alert{}, fmt.Errorf("eve event_type %q is not an alert", e.EventType)
	}
	if e.Alert.Signature == "" && e.Alert.SignatureID == "" {
		return alert.Alert{}, errors.New("eve alert without signature")
	}
	var t time.Time
	if e.Timestamp != "" {
		var err error
		if t, err = parseTime(string(e.Timestamp)); err != nil {
			return alert.Alert{}, fmt.Errorf("eve timestamp: %w", err)
		}
	}
	al := e.Alert
	a := alert.Alert{
		Source:         "suricata",
		ID:             alert.ContentID("suricata", raw),
		Time:           t,
		Title:          string(al.Signature),
		Severity:       suricataSeverity(string(al.Severity)),
		SourceSeverity: string(al.Severity),
		Rule: alert.Rule{
			ID:       string(al.SignatureID),
			Name:     string(al.Signature),
			Category: string(al.Category),
		},
		Raw: raw,
	}
	if al.GID != "" && al.Rev != "" {
		a.Rule.ID = string(al.GID) + ":" + string(al.SignatureID) + ":" + string(al.Rev)
	}
	if a.Title == "" {
		a.Title = "Suricata signature " + a.Rule.ID
	}
	// Metadata keys are sorted so that tags are deterministic.
	keys := make([]string, 0, len(al.Metadata))
	for k := range al.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range al.Metadata[k] {
			a.Rule.Tags = append(a.Rule.Tags, k+":"+v)
			if k == "mitre_technique_id" && isTechniqueID(v) {
				a.Techniques = appendUnique(a.Techniques, v)
			}
		}
	}
	host := string(e.HTTP.Hostname)
	if host == "" {
		host = string(e.TLS.SNI)
	}
	host = strings.TrimSuffix(host, ".")
	if ep, ok := endpoint(string(e.SrcIP), string(e.SrcPort)); ok {
		a.Entities.Src = []alert.Endpoint{ep}
	}
	if ep, ok := endpoint(string(e.DestIP), string(e.DestPort)); ok {
		if host != "" && !isIP(host) {
			ep.Hostname = host
		}
		a.Entities.Dst = []alert.Endpoint{ep}
	}
	d := &a.Entities.Domains
	*d = appendDomain(*d, string(e.HTTP.Hostname))
	*d = appendDomain(*d, string(e.TLS.SNI))
	*d = appendDomain(*d, string(e.DNS.RRName))
	for _, q := range e.DNS.Query {
		*d = appendDomain(*d, string(q.RRName))
	}
	if u := httpURL(string(e.HTTP.Hostname), string(e.HTTP.URL)); u != "" {
		a.Entities.URLs = []string{u}
	} else if e.HTTP.URL != "" {
		a.Text = append(a.Text, string(e.HTTP.URL))
	}
	a.Text = appendUnique(a.Text, string(e.HTTP.UserAgent), string(e.HTTP.Refer), string(e.HTTP.Redirect), string(e.TLS.Subject))
	if fi := &e.Fileinfo; fi.Filename != "" || fi.MD5 != "" || fi.SHA1 != "" || fi.SHA256 != "" {
		a.Entities.Files = append(a.Entities.Files, alert.File{
			Name: string(fi.Filename), MD5: string(fi.MD5), SHA1: string(fi.SHA1), SHA256: string(fi.SHA256),
		})
	}
	if e.SMB.Filename != "" && e.SMB.Filename != e.Fileinfo.Filename {
		a.Entities.Files = append(a.Entities.Files, alert.File{Name: string(e.SMB.Filename)})
	}
	return a, nil
}

// httpURL joins an HTTP Host and request target into an absolute URL; it
// returns "" when there is no host to anchor a relative target.
func httpURL(host, target string) string {
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		return target
	case host == "" || target == "":
		return ""
	case !strings.HasPrefix(target, "/"):
		target = "/" + target
	}
	return "http://" + host + target
}

// suricataSeverity inverts Suricata's priority: 1 is the most severe.
func suricataSeverity(s string) alert.Severity {
	switch s {
	case "1":
		return alert.SeverityHigh
	case "2":
		return alert.SeverityMedium
	case "3":
		return alert.SeverityLow
	}
	return alert.SeverityInfo
}

// note records what suricata.Detect looks at; v is nil for an object.
func (e *eve) note(k, v []byte) {
	switch string(k) {
	case "event_type":
		if e.firstEventType == nil {
			e.firstEventType = v
			if v == nil {
				e.firstEventType = []byte{}
			}
		}
	case "alert":
		e.hasAlert = true
	}
}

// claimed reports whether suricata.Detect claims the decoded record.
func (e *eve) claimed() bool {
	return string(e.firstEventType) == `"alert"` && e.hasAlert
}

// The names decode reads at each level, for scanField.
var (
	eveTopNames   = []string{"timestamp", "event_type", "src_ip", "src_port", "dest_ip", "dest_port", "alert", "http", "tls", "dns", "smb", "fileinfo"}
	eveAlertNames = []string{"signature_id", "signature", "category", "severity", "gid", "rev", "metadata"}
	eveHTTPNames  = []string{"hostname", "url", "http_user_agent", "http_refer", "redirect"}
	eveTLSNames   = []string{"sni", "subject"}
	eveDNSNames   = []string{"rrname", "query"}
	eveSMBNames   = []string{"filename"}
	eveFileNames  = []string{"filename", "md5", "sha1", "sha256"}
)

// decode reads a record that jsonscan.Valid accepted into e exactly as
// encoding/json would: keys match case-insensitively, a repeated member
// overwrites (objects merge into what an earlier one filled), null clears
// a pointer, map or slice and leaves a struct alone, and a value of the
// wrong JSON type for a struct, map or slice is an error.
func (e *eve) decode(raw []byte) error {
	if i := scanSpace(raw, 0); i >= len(raw) || raw[i] != '{' {
		if i < len(raw) && raw[i] == 'n' {
			return nil // null decodes to nothing
		}
		return errors.New("record is not a JSON object")
	}
	_, err := scanObject(raw, e.set, e.sub)
	return err
}

func (e *eve) set(k, v []byte) error {
	e.note(k, v)
	name := scanField(k, eveTopNames)
	var t *text
	switch name {
	case "":
		return nil
	case "timestamp":
		t = &e.Timestamp
	case "event_type":
		t = &e.EventType
	case "src_ip":
		t = &e.SrcIP
	case "src_port":
		t = &e.SrcPort
	case "dest_ip":
		t = &e.DestIP
	case "dest_port":
		t = &e.DestPort
	default: // a struct member given something other than an object
		if v[0] != 'n' {
			return errJSONType(name, v)
		}
		if name == "alert" {
			e.Alert = nil
		}
		return nil
	}
	return t.UnmarshalJSON(v)
}

// sub chooses the reader of an object member.
func (e *eve) sub(k []byte) (func(k, v []byte) error, scanSub) {
	e.note(k, nil)
	switch scanField(k, eveTopNames) {
	case "alert":
		if e.Alert == nil {
			e.Alert = new(eveAlert)
		}
		return e.Alert.set, e.Alert.sub
	case "http":
		return e.HTTP.set, nil
	case "tls":
		return e.TLS.set, nil
	case "dns":
		return e.DNS.set, nil
	case "smb":
		return e.SMB.set, nil
	case "fileinfo":
		return e.Fileinfo.set, nil
	}
	return nil, nil
}

func (al *eveAlert) set(k, v []byte) error {
	var t *text
	switch scanField(k, eveAlertNames) {
	case "signature_id":
		t = &al.SignatureID
	case "signature":
		t = &al.Signature
	case "category":
		t = &al.Category
	case "severity":
		t = &al.Severity
	case "gid":
		t = &al.GID
	case "rev":
		t = &al.Rev
	case "metadata":
		if v[0] != 'n' {
			return errJSONType("alert.metadata", v)
		}
		al.Metadata = nil
		return nil
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (al *eveAlert) sub(k []byte) (func(k, v []byte) error, scanSub) {
	if scanField(k, eveAlertNames) != "metadata" {
		return nil, nil
	}
	if al.Metadata == nil {
		al.Metadata = map[string]texts{}
	}
	return al.setMetadata, nil
}

// setMetadata stores one metadata member. Map keys match exactly, and
// invalid UTF-8 in them is replaced as encoding/json does.
func (al *eveAlert) setMetadata(k, v []byte) error {
	key := string(k)
	if !utf8.Valid(k) {
		var err error
		if key, err = unquote([]byte(`"` + key + `"`)); err != nil {
			return fmt.Errorf("alert.metadata key: %w", err)
		}
	}
	var ts texts
	if err := scanTexts(v, &ts); err != nil {
		return fmt.Errorf("alert.metadata.%s: %w", key, err)
	}
	al.Metadata[key] = ts
	return nil
}

func (h *eveHTTP) set(k, v []byte) error {
	var t *text
	switch scanField(k, eveHTTPNames) {
	case "hostname":
		t = &h.Hostname
	case "url":
		t = &h.URL
	case "http_user_agent":
		t = &h.UserAgent
	case "http_refer":
		t = &h.Refer
	case "redirect":
		t = &h.Redirect
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (s *eveTLS) set(k, v []byte) error {
	switch scanField(k, eveTLSNames) {
	case "sni":
		return s.SNI.UnmarshalJSON(v)
	case "subject":
		return s.Subject.UnmarshalJSON(v)
	}
	return nil
}

func (s *eveSMB) set(k, v []byte) error {
	if scanField(k, eveSMBNames) == "filename" {
		return s.Filename.UnmarshalJSON(v)
	}
	return nil
}

func (f *eveFile) set(k, v []byte) error {
	var t *text
	switch scanField(k, eveFileNames) {
	case "filename":
		t = &f.Filename
	case "md5":
		t = &f.MD5
	case "sha1":
		t = &f.SHA1
	case "sha256":
		t = &f.SHA256
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

// set stores a dns member. A query array is decoded as encoding/json
// decodes into an existing slice: element i merges into the element i an
// earlier query member left, and the slice ends with the array.
func (d *eveDNS) set(k, v []byte) error {
	switch scanField(k, eveDNSNames) {
	case "rrname":
		return d.RRName.UnmarshalJSON(v)
	case "query":
	default:
		return nil
	}
	switch v[0] {
	case 'n':
		d.Query = nil
		return nil
	case '[':
	default:
		return errJSONType("dns.query", v)
	}
	n := 0
	err := scanElements(v, func(el []byte) error {
		switch {
		case n < len(d.Query):
		case n < cap(d.Query):
			// encoding/json lengthens the slice over what an earlier,
			// longer array left beyond its end.
			d.Query = d.Query[:n+1]
		default:
			d.Query = append(d.Query, eveQuery{})
		}
		q := &d.Query[n]
		n++
		switch el[0] {
		case 'n':
			return nil
		case '{':
			return scanMembers(el, func(k, v []byte) error {
				if scanField(k, eveQueryNames) == "rrname" {
					return q.RRName.UnmarshalJSON(v)
				}
				return nil
			})
		}
		return errJSONType("dns.query element", el)
	})
	d.Query = d.Query[:n]
	if n == 0 {
		d.Query = d.Query[:0:0] // encoding/json drops the old array here
	}
	return err
}

var eveQueryNames = []string{"rrname"}
