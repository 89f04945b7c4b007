package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Splunk search results: export rows ({"preview","offset","result"}), the
// webhook alert action body ({"result","sid","search_name",...}) and bare
// result objects. Enterprise Security notables are the splunk_notable
// format. Reference:
// https://docs.splunk.com/Documentation/Splunk/latest/Alert/Webhooks
func init() { Register(splunk{}) }

type splunk struct{}

// splunkResult holds the result fields Winnow reads (see set for their
// Splunk names). Splunk sends every value as a string, or an array of
// strings for multivalue fields.
type splunkResult struct {
	Raw             text
	Time            text
	Sourcetype      text
	SearchName      text
	RuleName        text
	RuleTitle       text
	RuleDescription text
	Description     text
	SecurityDomain  text
	Signature       text
	SignatureID     text
	Category        text
	EventID         text
	Urgency         text
	Severity        text
	Src             text
	SrcIP           text
	SrcPort         text
	Dest            text
	DestIP          text
	DestPort        text
	User            texts
	SrcUser         texts
	URL             texts
	FileName        text
	FilePath        text
	FileHash        text
	Mitre           texts
	MitreTechnique  texts
	Host            text
	Dvc             text
	DestUser        texts
	Index           text
	RuleID          text
	OrigSid         text
	RiskScore       text
	RiskObject      text
	RiskObjectType  text

	// Members of the webhook body around the result row.
	Sid   text
	Owner text
	App   text
}

// set stores one result member; keys Winnow does not read are ignored.
func (r *splunkResult) setAll(fs Fields) error {
	for _, f := range fs {
		if err := r.set(string(f.Key), f.Value); err != nil {
			return err
		}
	}
	return nil
}

func (r *splunkResult) set(key string, v []byte) error {
	if v == nil {
		return nil
	}
	var t *text
	var ts *texts
	switch key {
	case "_raw":
		t = &r.Raw
	case "_time":
		t = &r.Time
	case "sourcetype":
		t = &r.Sourcetype
	case "search_name":
		t = &r.SearchName
	case "rule_name":
		t = &r.RuleName
	case "rule_title":
		t = &r.RuleTitle
	case "rule_description":
		t = &r.RuleDescription
	case "description":
		t = &r.Description
	case "security_domain":
		t = &r.SecurityDomain
	case "signature":
		t = &r.Signature
	case "signature_id":
		t = &r.SignatureID
	case "category":
		t = &r.Category
	case "event_id":
		t = &r.EventID
	case "urgency":
		t = &r.Urgency
	case "severity":
		t = &r.Severity
	case "src":
		t = &r.Src
	case "src_ip":
		t = &r.SrcIP
	case "src_port":
		t = &r.SrcPort
	case "dest":
		t = &r.Dest
	case "dest_ip":
		t = &r.DestIP
	case "dest_port":
		t = &r.DestPort
	case "file_name":
		t = &r.FileName
	case "file_path":
		t = &r.FilePath
	case "file_hash":
		t = &r.FileHash
	case "user":
		ts = &r.User
	case "src_user":
		ts = &r.SrcUser
	case "url":
		ts = &r.URL
	case "annotations.mitre_attack":
		ts = &r.Mitre
	case "annotations.mitre_attack.mitre_technique_id":
		ts = &r.MitreTechnique
	case "host":
		t = &r.Host
	case "dvc":
		t = &r.Dvc
	case "dest_user":
		ts = &r.DestUser
	case "index":
		t = &r.Index
	case "rule_id":
		t = &r.RuleID
	case "orig_sid":
		t = &r.OrigSid
	case "risk_score":
		t = &r.RiskScore
	case "risk_object":
		t = &r.RiskObject
	case "risk_object_type":
		t = &r.RiskObjectType
	default:
		return nil
	}
	var err error
	if t != nil {
		err = t.UnmarshalJSON(v)
	} else {
		err = ts.UnmarshalJSON(v)
	}
	if err != nil {
		// A copy of key, so that key does not escape and callers can
		// convert it from bytes without allocating.
		return fmt.Errorf("splunk field %s: %w", strings.Clone(key), err)
	}
	return nil
}

func (splunk) Name() string { return "splunk" }

func (splunk) Detect(fs Fields, _ []byte) bool {
	if r := fs.Value("result"); len(r) > 0 && r[0] == '{' {
		return fs.Has("preview") || fs.Has("offset") || fs.Has("sid") || fs.Has("results_link")
	}
	return fs.Has("_raw") && (fs.Has("sourcetype") || fs.Has("_time") || fs.Has("_cd")) && !splunkIsNotable(fs)
}

// Normalize reads the members it needs straight from the record instead of
// decoding it with encoding/json: Splunk results carry dozens of fields
// Winnow ignores. The record is validated once, and then scanned once: the
// result object is read as the scan meets it, so its long _raw string is
// crossed only by the validator, the scan and the unquoting.
func (splunk) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("splunk result is not valid JSON")
	}
	var r splunkResult
	var s splunkScan
	buf := fieldsPool.Get().(*Fields)
	defer func() {
		clear(s.top) // drop references into raw before pooling
		*buf = s.top[:0]
		fieldsPool.Put(buf)
	}()
	s.top, s.r = (*buf)[:0], &r
	if _, err := scanObject(raw, s.set, s.sub); err != nil {
		return alert.Alert{}, fmt.Errorf("splunk result: %w", err)
	}
	if s.err != nil {
		return alert.Alert{}, s.err
	}
	var row []byte // the webhook's result row, hashed into its ID
	if s.inResult {
		top := s.top
		if top.Has("sid") {
			// Only webhook bodies have one: find the row's bytes again.
			err := scanMembers(raw, func(k, v []byte) error {
				if row == nil && string(k) == "result" {
					row = v
				}
				return nil
			})
			if err != nil {
				return alert.Alert{}, fmt.Errorf("splunk result: %w", err)
			}
		}
		// The body's search_name names the alert; the row's own
		// search_name, if any, is the search that produced the row.
		if v := top.Value("search_name"); v != nil && string(v) != "null" {
			if err := r.set("search_name", v); err != nil {
				return alert.Alert{}, err
			}
		}
		for _, k := range [...]string{"sid", "owner", "app"} {
			if err := r.setWebhook(k, top.Value(k)); err != nil {
				return alert.Alert{}, err
			}
		}
	} else if err := r.setAll(s.top); err != nil {
		return alert.Alert{}, err
	}
	if row != nil {
		return r.webhookAlert(raw, row)
	}
	tag := "splunk:" + string(r.Sourcetype)
	if r.Sourcetype == "" {
		tag = "splunk"
	}
	if inner := bytes.TrimSpace([]byte(r.Raw)); len(inner) > 0 && inner[0] == '{' {
		a, ok, err := splunkInner(inner, &r, tag)
		if ok || err != nil {
			a.Raw = raw
			return a, err
		}
	}
	return r.alert(raw, tag)
}

// splunkScan reads a record's top level in one pass: the members other
// than the first result object go to top, and the first result member, if
// it is an object, is read into r as the scan meets it. A later result
// member, or one after a result that is not an object, is a plain member,
// as Fields.Value sees only the first.
type splunkScan struct {
	r        *splunkResult
	top      Fields
	seen     bool  // a result member was met
	inResult bool  // the first result member is an object, read into r
	err      error // from reading the result's members
}

func (s *splunkScan) set(k, v []byte) error {
	if string(k) == "result" {
		s.seen = true
	}
	s.top = append(s.top, Field{Key: k, Value: v})
	return nil
}

func (s *splunkScan) sub(k []byte) (func(k, v []byte) error, scanSub) {
	if s.seen || string(k) != "result" {
		return nil, nil
	}
	s.seen, s.inResult = true, true
	return s.setResult, nil
}

// setResult stores a member of the result object. An error is kept rather
// than returned so that the scan's own errors stay apart from the field's.
func (s *splunkScan) setResult(k, v []byte) error {
	if s.err == nil {
		s.err = s.r.set(string(k), v)
	}
	return nil
}

// setWebhook stores a member of the webhook body around the result row.
func (r *splunkResult) setWebhook(key string, v []byte) error {
	if v == nil {
		return nil
	}
	var t *text
	switch key {
	case "sid":
		t = &r.Sid
	case "owner":
		t = &r.Owner
	case "app":
		t = &r.App
	default:
		return nil
	}
	if err := t.UnmarshalJSON(v); err != nil {
		return fmt.Errorf("splunk webhook %s: %w", key, err)
	}
	return nil
}

// webhookAlert builds the alert of a webhook alert action body: the saved
// search names it, and its ID is the search ID plus a hash of the result
// row, since one search run may post once per result.
func (r *splunkResult) webhookAlert(raw, row []byte) (alert.Alert, error) {
	if r.Sid == "" {
		return alert.Alert{}, errors.New("splunk webhook without sid")
	}
	tag := "splunk:" + string(r.Sourcetype)
	if r.Sourcetype == "" {
		tag = "splunk"
	}
	named := r.SearchName != ""
	if !named && firstOf(r.RuleTitle, r.RuleName, r.Signature) == "" && (r.Sourcetype != "" || r.Raw != "") {
		// The documented example posts search_name null with a row of
		// counts: the search ID is all that names it. A row with neither
		// _raw nor sourcetype stays an error, as for other results.
		r.SearchName = "Splunk alert " + r.Sid
	}
	a, err := r.alert(raw, tag)
	if err != nil {
		return alert.Alert{}, err
	}
	if r.SearchName != "" {
		a.Title = string(r.SearchName)
	}
	if named {
		a.Rule.Name = string(r.SearchName)
	}
	a.ID = string(r.Sid) + "-" + alert.ContentID("splunk", row)[len("splunk-"):][:16]
	a.Rule.Tags = append(a.Rule.Tags, "splunk:webhook")
	if r.App != "" {
		a.Rule.Tags = append(a.Rule.Tags, "splunk_app:"+string(r.App))
	}
	if r.Owner != "" {
		a.Rule.Tags = append(a.Rule.Tags, "splunk_owner:"+string(r.Owner))
	}
	return a, nil
}

// splunkInner normalises a _raw that is itself a record of another
// registered format; ok is false when no format claims it. The alert keeps
// the inner format as Source, so that later stages treat a Suricata alert
// found through Splunk as Suricata.
//
// A _raw whose sourcetype names Suricata is first read as EVE directly:
// when suricata.Detect's own test claims it and it converts cleanly, the
// sourcetype and the record agree, and detection of every format over the
// record (a fifth of the time of a CPTC record) is skipped. Anything else,
// including a Suricata record that fails to convert, takes detection.
func splunkInner(inner []byte, r *splunkResult, tag string) (a alert.Alert, ok bool, err error) {
	if !splunkSuricataType(string(r.Sourcetype)) {
		return splunkDetected(inner, r, tag)
	}
	var e eve
	if !jsonscan.Valid(inner) || e.decode(inner) != nil || !e.claimed() {
		return splunkDetected(inner, r, tag)
	}
	if a, err = e.alert(inner); err != nil {
		return splunkDetected(inner, r, tag)
	}
	return splunkInnerAlert(a, r, tag)
}

// splunkSuricataType reports whether a sourcetype names Suricata
// ("suricata", "suricata:alert", "suricata:eve").
func splunkSuricataType(st string) bool {
	const p = "suricata"
	return len(st) >= len(p) && strings.EqualFold(st[:len(p)], p) && (len(st) == len(p) || st[len(p)] == ':')
}

// splunkDetected is splunkInner through format detection.
func splunkDetected(inner []byte, r *splunkResult, tag string) (a alert.Alert, ok bool, err error) {
	f, err := detect(inner, "splunk")
	if err != nil {
		return alert.Alert{}, false, nil
	}
	a, err = f.Normalize(inner)
	if err != nil {
		return alert.Alert{}, true, fmt.Errorf("splunk _raw as %s: %w", f.Name(), err)
	}
	return splunkInnerAlert(a, r, tag)
}

// splunkInnerAlert completes the alert of a _raw record from the result.
func splunkInnerAlert(a alert.Alert, r *splunkResult, tag string) (alert.Alert, bool, error) {
	a.Rule.Tags = append(a.Rule.Tags, tag)
	if a.Time.IsZero() && r.Time != "" {
		var err error
		if a.Time, err = parseTime(string(r.Time)); err != nil {
			return alert.Alert{}, true, fmt.Errorf("splunk _time: %w", err)
		}
	}
	return a, true, nil
}

// alert builds a generic alert from the result's Common Information Model
// fields when _raw is not a record of a known format.
func (r *splunkResult) alert(raw []byte, tag string) (alert.Alert, error) {
	a := alert.Alert{
		Source: "splunk",
		ID:     string(r.EventID),
		Title:  firstOf(r.RuleTitle, r.SearchName, r.RuleName, r.Signature),
		Rule: alert.Rule{
			ID:       string(r.SignatureID),
			Name:     firstOf(r.RuleName, r.SearchName, r.Signature),
			Category: firstOf(r.SecurityDomain, r.Category),
			Tags:     []string{tag},
		},
		Raw: raw,
	}
	if a.Title == "" && r.Raw == "" && r.Sourcetype == "" {
		return alert.Alert{}, errors.New("splunk result without _raw, sourcetype or a search name")
	}
	if a.Title == "" {
		a.Title = "Splunk result: " + firstOf(r.Sourcetype, "unknown sourcetype")
	}
	if a.ID == "" {
		a.ID = alert.ContentID("splunk", raw)
	}
	if d := firstOf(r.RuleDescription, r.Description); d != a.Title {
		a.Description = d
	}
	if r.Time != "" {
		t, err := parseTime(string(r.Time))
		if err != nil {
			return alert.Alert{}, fmt.Errorf("splunk _time: %w", err)
		}
		a.Time = t
	}
	a.SourceSeverity = firstOf(r.Urgency, r.Severity)
	a.Severity = splunkSeverity(a.SourceSeverity)
	if e, ok := splunkEndpoint(r.SrcIP, r.Src, r.SrcPort); ok {
		a.Entities.Src = []alert.Endpoint{e}
	}
	if e, ok := splunkEndpoint(r.DestIP, r.Dest, r.DestPort); ok {
		a.Entities.Dst = []alert.Endpoint{e}
	}
	for _, users := range [][]string{r.User, r.SrcUser, r.DestUser} {
		for _, u := range users {
			a.Entities.Users = appendUser(a.Entities.Users, u)
		}
	}
	for _, h := range []text{r.Host, r.Dvc} {
		if h != "" && !slices.ContainsFunc(a.Entities.Hosts, func(x alert.Host) bool { return x.Name == string(h) || x.IP == string(h) }) {
			if isIP(string(h)) {
				a.Entities.Hosts = append(a.Entities.Hosts, alert.Host{IP: string(h)})
			} else {
				a.Entities.Hosts = append(a.Entities.Hosts, alert.Host{Name: string(h)})
			}
		}
	}
	for _, u := range r.URL {
		a.Entities.URLs = appendUnique(a.Entities.URLs, u)
	}
	if r.FileName != "" || r.FilePath != "" || r.FileHash != "" {
		f := alert.File{Name: string(r.FileName), Path: string(r.FilePath)}
		hashFile(&f, string(r.FileHash))
		a.Entities.Files = []alert.File{f}
	}
	for _, m := range append(r.Mitre, r.MitreTechnique...) {
		if isTechniqueID(m) {
			a.Techniques = appendUnique(a.Techniques, m)
		}
	}
	if r.Raw != "" {
		a.Text = []string{string(r.Raw)}
	}
	return a, nil
}

// splunkEndpoint combines the CIM ip and host-or-ip fields of one side.
func splunkEndpoint(ip, host, port text) (alert.Endpoint, bool) {
	e, ok := endpoint(firstOf(ip, host), string(port))
	if ok && e.IP != "" && host != "" && !isIP(string(host)) {
		e.Hostname = string(host)
	}
	return e, ok
}

func firstOf(vs ...text) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

// splunkSeverity maps Splunk ES urgency and CIM severity words.
func splunkSeverity(s string) alert.Severity {
	switch strings.ToLower(s) {
	case "critical":
		return alert.SeverityCritical
	case "high":
		return alert.SeverityHigh
	case "medium":
		return alert.SeverityMedium
	case "low":
		return alert.SeverityLow
	}
	return alert.SeverityInfo
}
