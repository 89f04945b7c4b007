package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// Splunk search results: export rows ({"preview","offset","result"}), the
// webhook alert action body ({"result","sid","search_name",...}) and bare
// result objects such as Enterprise Security notables. Reference:
// https://docs.splunk.com/Documentation/Splunk/latest/Alert/Webhooks
func init() { Register(splunk{}) }

type splunk struct{}

// splunkResult holds the result fields Winnow reads. Splunk sends every
// value as a string, or an array of strings for multivalue fields.
type splunkResult struct {
	Raw             text  `json:"_raw"`
	Time            text  `json:"_time"`
	Sourcetype      text  `json:"sourcetype"`
	SearchName      text  `json:"search_name"`
	RuleName        text  `json:"rule_name"`
	RuleTitle       text  `json:"rule_title"`
	RuleDescription text  `json:"rule_description"`
	Description     text  `json:"description"`
	SecurityDomain  text  `json:"security_domain"`
	Signature       text  `json:"signature"`
	SignatureID     text  `json:"signature_id"`
	Category        text  `json:"category"`
	EventID         text  `json:"event_id"`
	Urgency         text  `json:"urgency"`
	Severity        text  `json:"severity"`
	Src             text  `json:"src"`
	SrcIP           text  `json:"src_ip"`
	SrcPort         text  `json:"src_port"`
	Dest            text  `json:"dest"`
	DestIP          text  `json:"dest_ip"`
	DestPort        text  `json:"dest_port"`
	User            texts `json:"user"`
	SrcUser         texts `json:"src_user"`
	URL             texts `json:"url"`
	FileName        text  `json:"file_name"`
	FilePath        text  `json:"file_path"`
	FileHash        text  `json:"file_hash"`
	Mitre           texts `json:"annotations.mitre_attack"`
}

type splunkRecord struct {
	splunkResult
	// Result is set for export rows and webhook bodies; the embedded
	// fields are then the envelope's (only search_name matters there).
	Result *splunkResult `json:"result"`
}

func (splunk) Name() string { return "splunk" }

func (splunk) Detect(fs Fields, _ []byte) bool {
	if r := fs.Value("result"); len(r) > 0 && r[0] == '{' {
		return fs.Has("preview") || fs.Has("offset") || fs.Has("sid") || fs.Has("results_link")
	}
	return fs.Has("_raw") && (fs.Has("sourcetype") || fs.Has("_time") || fs.Has("_cd"))
}

func (splunk) Normalize(raw []byte) (alert.Alert, error) {
	var rec splunkRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return alert.Alert{}, fmt.Errorf("decode splunk result: %w", err)
	}
	r := &rec.splunkResult
	if rec.Result != nil {
		r = rec.Result
		if r.SearchName == "" {
			r.SearchName = rec.SearchName
		}
	}
	tag := "splunk:" + string(r.Sourcetype)
	if r.Sourcetype == "" {
		tag = "splunk"
	}
	if inner := bytes.TrimSpace([]byte(r.Raw)); len(inner) > 0 && inner[0] == '{' {
		a, ok, err := splunkInner(inner, r, tag)
		if ok || err != nil {
			a.Raw = raw
			return a, err
		}
	}
	return r.alert(raw, tag)
}

// splunkInner normalises a _raw that is itself a record of another
// registered format; ok is false when no format claims it. The alert keeps
// the inner format as Source, so that later stages treat a Suricata alert
// found through Splunk as Suricata.
func splunkInner(inner []byte, r *splunkResult, tag string) (a alert.Alert, ok bool, err error) {
	f, err := detect(inner, "splunk")
	if err != nil {
		return alert.Alert{}, false, nil
	}
	a, err = f.Normalize(inner)
	if err != nil {
		return alert.Alert{}, true, fmt.Errorf("splunk _raw as %s: %w", f.Name(), err)
	}
	a.Rule.Tags = append(a.Rule.Tags, tag)
	if a.Time.IsZero() && r.Time != "" {
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
	for _, u := range append(r.User, r.SrcUser...) {
		a.Entities.Users = appendUser(a.Entities.Users, u)
	}
	for _, u := range r.URL {
		a.Entities.URLs = appendUnique(a.Entities.URLs, u)
	}
	if r.FileName != "" || r.FilePath != "" || r.FileHash != "" {
		f := alert.File{Name: string(r.FileName), Path: string(r.FilePath)}
		hashFile(&f, string(r.FileHash))
		a.Entities.Files = []alert.File{f}
	}
	for _, m := range r.Mitre {
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
