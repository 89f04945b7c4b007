package normalize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Google SecOps (Chronicle) rule detections in two shapes: the raw API
// Detection (legacy Detection Engine API and v1alpha legacyGetDetection /
// legacySearchDetections: "collectionElements[].references[].event" holds
// the UDM events) and Elastic's intermediate shape, where one reference was
// lifted to top-level "event" and "label". The list response
// {"detections":[...],"nextPageToken"} is a Multi record. References:
// https://cloud.google.com/chronicle/docs/reference/detection-engine-api,
// https://cloud.google.com/chronicle/docs/reference/rest/v1alpha/projects.locations.instances.legacy/legacySearchDetections,
// https://cloud.google.com/chronicle/docs/reference/udm-field-list
func init() { Register(googleSecops{}) }

type googleSecops struct{}

// googleSecopsDetection holds the members Winnow reads; setters below
// name their JSON keys.
type googleSecopsDetection struct {
	ID, Type, CreatedTime, DetectionTime, WindowEnd text
	Detection                                       *googleSecopsRule // detection[0]
	Events                                          []*googleSecopsEvent
	List                                            []byte // a list response's detections
}

type googleSecopsRule struct {
	RuleName, RuleID, AlertState, RuleType, RuleSet, RuleSetDisplayName text
	Severity, RiskScore, Description                                    text
	DetectionFields, RuleLabels, Outcomes                               []googleSecopsLabel
}

type googleSecopsLabel struct {
	Key, Value text
}

// googleSecopsEvent is the part of a UDM event Winnow reads. Like any
// proto3 JSON parser it accepts the lowerCamelCase names the API writes
// and the snake_case names of the UDM field list where they differ.
type googleSecopsEvent struct {
	EventTimestamp, LogType, Description text // metadata
	Principal, Target, Src               googleSecopsNoun
	EmailFrom                            text
	EmailTo, EmailSubject                texts
	DNSQuestions                         []string
	SecurityResult                       []googleSecopsSecurityResult
}

type googleSecopsNoun struct {
	Hostname, Port, URL, AssetHostname text
	IP, AssetIP                        texts
	UserID                             text
	EmailAddresses                     texts
	Process                            *googleSecopsProcess
	File                               googleSecopsFile
}

type googleSecopsProcess struct {
	PID, CommandLine text
	File, ParentFile googleSecopsFile
	HasParent        bool
}

type googleSecopsFile struct {
	FullPath, SHA256, SHA1, MD5 text
}

type googleSecopsSecurityResult struct {
	Severity, RuleName, Summary text
	Techniques                  []string
	Tactics                     []string
}

func (googleSecops) Name() string { return "google_secops" }

// Detect claims detections (a type, an id and a detection list) and list
// responses whose detections member holds them.
func (googleSecops) Detect(fs Fields, _ []byte) bool {
	if d := fs.Value("detection"); d != nil && d[0] == '[' && fs.Has("type") && fs.Has("id") {
		return true
	}
	d := fs.Value("detections")
	return d != nil && d[0] == '[' && googleSecopsHasDetection(d)
}

// googleSecopsHasDetection checks that a detections list's first element
// is a detection object.
func googleSecopsHasDetection(list []byte) bool {
	i := scanSpace(list, 1)
	if i >= len(list) || list[i] != '{' {
		return false
	}
	end := scanValueEnd(list, i)
	if end <= i {
		return false
	}
	ok := false
	_ = withFields(list[i:end], func(inner Fields) error {
		ok = inner.Has("detection") && inner.Has("id")
		return nil
	})
	return ok
}

func (g googleSecops) Normalize(raw []byte) (alert.Alert, error) {
	var out []alert.Alert
	if err := g.NormalizeAll(raw, func(a alert.Alert) error { out = append(out, a); return nil }); err != nil {
		return alert.Alert{}, err
	}
	if len(out) != 1 {
		return alert.Alert{}, fmt.Errorf("google_secops list holds %d detections, not one: use NormalizeAll", len(out))
	}
	return out[0], nil
}

// NormalizeAll emits one alert for a detection, or one per element of a
// list response. Like crowdstrike it reads members from the scanned,
// validated record rather than decoding it with encoding/json: UDM events
// carry large members (labels, geo artifacts) Winnow ignores.
func (googleSecops) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("google_secops detection is not valid JSON")
	}
	// One scan reads the detection's members and notes a list response's
	// detections.
	d, err := googleSecopsDecode(raw)
	if err != nil {
		return err
	}
	if d.Detection != nil || d.List == nil || d.List[0] != '[' {
		a, err := d.alert(raw)
		if err != nil {
			return err
		}
		return emit(a)
	}
	i := 0
	return scanElements(d.List, func(el []byte) error {
		d, err := googleSecopsDecode(el)
		a := alert.Alert{}
		if err == nil {
			a, err = d.alert(el)
		}
		if err != nil {
			return fmt.Errorf("google_secops detections[%d]: %w", i, err)
		}
		i++
		a.Raw = el
		return emit(a)
	})
}

func googleSecopsDecode(raw []byte) (*googleSecopsDetection, error) {
	d := new(googleSecopsDetection)
	if _, err := scanObject(raw, d.set, d.sub); err != nil {
		return nil, fmt.Errorf("decode google_secops detection: %w", err)
	}
	return d, nil
}

// alert converts the decoded detection; raw is its record, for a content
// ID.
func (d *googleSecopsDetection) alert(raw []byte) (alert.Alert, error) {
	det := d.Detection
	if det == nil {
		return alert.Alert{}, errors.New("google_secops detection without detection[]")
	}
	if crowdstrikeFirst(det.RuleName, det.RuleID) == "" {
		return alert.Alert{}, errors.New("google_secops detection without ruleName or ruleId")
	}
	events := d.Events
	ts := crowdstrikeFirst(d.DetectionTime, d.CreatedTime, d.WindowEnd)
	if ts == "" && len(events) > 0 {
		ts = string(events[0].EventTimestamp)
	}
	var t time.Time
	if ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("google_secops detectionTime: %w", err)
		}
	}
	a := alert.Alert{
		Source:      "google_secops",
		ID:          string(d.ID),
		Time:        t,
		Title:       crowdstrikeFirst(googleSecopsLabelValue(det.RuleLabels, "rule_name"), det.RuleName, det.RuleID),
		Description: crowdstrikeFirst(det.Description, googleSecopsLabelValue(det.RuleLabels, "description")),
		Rule: alert.Rule{
			ID:       string(det.RuleID),
			Name:     crowdstrikeFirst(det.RuleName, det.RuleID),
			Category: crowdstrikeFirst(det.RuleSetDisplayName, det.RuleSet),
		},
	}
	if a.ID == "" {
		a.ID = alert.ContentID("google_secops", raw)
	}
	for _, kv := range [][2]text{{"rule_type", det.RuleType}, {"alert_state", det.AlertState}, {"type", d.Type}} {
		if kv[1] != "" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	for _, l := range det.RuleLabels {
		if isTechniqueID(string(l.Value)) {
			a.Techniques = appendUnique(a.Techniques, string(l.Value))
		}
	}
	for _, l := range append(append([]googleSecopsLabel(nil), det.DetectionFields...), det.Outcomes...) {
		if l.Key != "" && l.Value != "" {
			a.Text = appendUnique(a.Text, string(l.Key)+"="+string(l.Value))
		}
	}
	var resultSev string
	for _, ev := range events {
		if ev.LogType != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "log_type:"+string(ev.LogType))
		}
		a.Text = appendUnique(a.Text, string(ev.Description))
		for _, sr := range ev.SecurityResult {
			if googleSecopsRank(string(sr.Severity)) > googleSecopsRank(resultSev) {
				resultSev = string(sr.Severity)
			}
			a.Text = appendUnique(a.Text, string(sr.Summary))
			if sr.RuleName != "" {
				a.Rule.Tags = appendUnique(a.Rule.Tags, "udm_rule:"+string(sr.RuleName))
			}
			for _, id := range sr.Techniques {
				if isTechniqueID(id) {
					a.Techniques = appendUnique(a.Techniques, id)
				}
			}
			for _, tc := range sr.Tactics {
				a.Rule.Tags = appendUnique(a.Rule.Tags, "tactic:"+tc)
			}
		}
		googleSecopsEntities(&a.Entities, ev)
	}
	a.Severity, a.SourceSeverity = googleSecopsSeverity(string(det.Severity), string(googleSecopsLabelValue(det.RuleLabels, "severity")), string(det.RiskScore), resultSev)
	return a, nil
}

// googleSecopsSeverity picks, in order: the detection's severity, the
// rule's "severity" meta label, the risk score (0-19 info, 20-39 low, 40-69
// medium, 70-89 high, 90-100 critical) and the highest UDM
// security_result.severity. Severity names are INFORMATIONAL, LOW, MEDIUM,
// HIGH, CRITICAL (any case; "info" too). With none of them it is low. The
// second result is the value used, as given.
func googleSecopsSeverity(sev, label, risk, result string) (alert.Severity, string) {
	for _, s := range []string{sev, label} {
		if r := googleSecopsRank(s); r > 0 {
			return alert.SeverityFromRank(r), s
		}
	}
	if n, err := strconv.ParseFloat(strings.TrimSpace(risk), 64); err == nil && n >= 0 {
		src := "riskScore " + risk
		switch {
		case n < 20:
			return alert.SeverityInfo, src
		case n < 40:
			return alert.SeverityLow, src
		case n < 70:
			return alert.SeverityMedium, src
		case n < 90:
			return alert.SeverityHigh, src
		}
		return alert.SeverityCritical, src
	}
	if r := googleSecopsRank(result); r > 0 {
		return alert.SeverityFromRank(r), result
	}
	return alert.SeverityLow, ""
}

// googleSecopsLabelValue returns the value of the first label named key.
func googleSecopsLabelValue(labels []googleSecopsLabel, key string) text {
	for _, l := range labels {
		if string(l.Key) == key {
			return l.Value
		}
	}
	return ""
}

func googleSecopsRank(s string) int {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "INFORMATIONAL", "INFO":
		return 1
	case "LOW":
		return 2
	case "MEDIUM":
		return 3
	case "HIGH":
		return 4
	case "CRITICAL":
		return 5
	}
	return 0
}

// googleSecopsEntities adds one UDM event's nouns: principal and src are
// the source side, target the destination.
func googleSecopsEntities(en *alert.Entities, ev *googleSecopsEvent) {
	for _, n := range []*googleSecopsNoun{&ev.Principal, &ev.Src} {
		en.Src = googleSecopsEndpoints(en.Src, n, false)
		if h := crowdstrikeFirst(n.Hostname, n.AssetHostname); h != "" {
			host := alert.Host{Name: h}
			if ips := googleSecopsIPs(n); len(ips) > 0 {
				host.IP = ips[0]
			}
			if !googleSecopsHasHost(en.Hosts, host) {
				en.Hosts = append(en.Hosts, host)
			}
		}
	}
	en.Dst = googleSecopsEndpoints(en.Dst, &ev.Target, true)
	for _, n := range []*googleSecopsNoun{&ev.Principal, &ev.Src, &ev.Target} {
		en.Users = appendUser(en.Users, string(n.UserID))
		if n.UserID == "" {
			for _, e := range n.EmailAddresses {
				en.Users = appendUser(en.Users, e)
			}
		}
		if p := n.Process; p != nil {
			path := string(p.File.FullPath)
			proc := alert.Process{
				Name:        googleSecopsBase(path),
				Path:        path,
				CommandLine: string(p.CommandLine),
				PID:         atoi(string(p.PID)),
			}
			if p.HasParent {
				proc.Parent = googleSecopsBase(string(p.ParentFile.FullPath))
			}
			if proc != (alert.Process{}) {
				en.Processes = append(en.Processes, proc)
			}
			// A process image is a file worth listing only with a hash;
			// its path is already on the process.
			if p.File.SHA256 != "" || p.File.SHA1 != "" || p.File.MD5 != "" {
				en.Files = googleSecopsAddFile(en.Files, &p.File)
			}
		}
		en.Files = googleSecopsAddFile(en.Files, &n.File)
		if u := string(n.URL); u != "" {
			en.URLs = appendUnique(en.URLs, u)
		}
	}
	if ev.EmailFrom != "" || len(ev.EmailTo) > 0 || len(ev.EmailSubject) > 0 {
		if en.Email == nil {
			en.Email = &alert.Email{}
		}
		if en.Email.From == "" {
			en.Email.From = string(ev.EmailFrom)
		}
		en.Email.To = appendUnique(en.Email.To, ev.EmailTo...)
		if en.Email.Subject == "" && len(ev.EmailSubject) > 0 {
			en.Email.Subject = ev.EmailSubject[0]
		}
	}
	for _, q := range ev.DNSQuestions {
		en.Domains = appendDomain(en.Domains, q)
	}
}

func googleSecopsIPs(n *googleSecopsNoun) []string {
	if len(n.IP) > 0 {
		return n.IP
	}
	return n.AssetIP
}

// googleSecopsEndpoints appends a noun's addresses, the first carrying the
// hostname. A target named only by hostname is an endpoint too; a source
// one is already a host.
func googleSecopsEndpoints(list []alert.Endpoint, n *googleSecopsNoun, nameOnly bool) []alert.Endpoint {
	ips := googleSecopsIPs(n)
	if len(ips) == 0 && n.Hostname != "" && nameOnly {
		ips = []string{string(n.Hostname)}
	}
	for i, ip := range ips {
		e, ok := endpoint(ip, string(n.Port))
		if !ok {
			continue
		}
		if i == 0 && e.Hostname == "" {
			e.Hostname = string(n.Hostname)
		}
		dup := false
		for _, have := range list {
			dup = dup || have == e
		}
		if !dup {
			list = append(list, e)
		}
	}
	return list
}

func googleSecopsHasHost(hosts []alert.Host, h alert.Host) bool {
	for _, have := range hosts {
		if have == h {
			return true
		}
	}
	return false
}

func googleSecopsAddFile(files []alert.File, f *googleSecopsFile) []alert.File {
	path := string(f.FullPath)
	af := alert.File{Name: googleSecopsBase(path), Path: path, MD5: string(f.MD5), SHA1: string(f.SHA1), SHA256: string(f.SHA256)}
	if af == (alert.File{}) {
		return files
	}
	for _, have := range files {
		if have == af {
			return files
		}
	}
	return append(files, af)
}

// googleSecopsBase returns the last element of a Windows or POSIX path.
func googleSecopsBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
