package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
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

type googleSecopsDetection struct {
	ID            text `json:"id"`
	Type          text `json:"type"`
	CreatedTime   text `json:"createdTime"`
	DetectionTime text `json:"detectionTime"`
	TimeWindow    struct {
		EndTime text `json:"endTime"`
	} `json:"timeWindow"`
	Detection []struct {
		RuleName           text                `json:"ruleName"`
		RuleID             text                `json:"ruleId"`
		AlertState         text                `json:"alertState"`
		RuleType           text                `json:"ruleType"`
		RuleSet            text                `json:"ruleSet"`
		RuleSetDisplayName text                `json:"ruleSetDisplayName"`
		Severity           text                `json:"severity"`
		RiskScore          text                `json:"riskScore"`
		Description        text                `json:"description"`
		DetectionFields    []googleSecopsLabel `json:"detectionFields"`
		RuleLabels         []googleSecopsLabel `json:"ruleLabels"`
		Outcomes           []googleSecopsLabel `json:"outcomes"`
	} `json:"detection"`
	CollectionElements []struct {
		Label      text `json:"label"`
		References []struct {
			Event *googleSecopsEvent `json:"event"`
		} `json:"references"`
	} `json:"collectionElements"`
	Event *googleSecopsEvent `json:"event"`
	Label text               `json:"label"`
}

type googleSecopsLabel struct {
	Key   text `json:"key"`
	Value text `json:"value"`
}

// googleSecopsEvent is the part of a UDM event Winnow reads. Like any
// proto3 JSON parser it accepts the lowerCamelCase names the API writes
// and the snake_case names of the UDM field list for the members where
// they differ.
type googleSecopsEvent struct {
	Metadata struct {
		EventTimestamp text `json:"eventTimestamp"`
		EventType      text `json:"eventType"`
		LogType        text `json:"logType"`
		ProductName    text `json:"productName"`
		Description    text `json:"description"`
	} `json:"metadata"`
	Principal           googleSecopsNoun             `json:"principal"`
	Target              googleSecopsNoun             `json:"target"`
	Src                 googleSecopsNoun             `json:"src"`
	Network             googleSecopsNetwork          `json:"network"`
	SecurityResult      []googleSecopsSecurityResult `json:"securityResult"`
	SecurityResultSnake []googleSecopsSecurityResult `json:"security_result"`
}

type googleSecopsNoun struct {
	Hostname text  `json:"hostname"`
	IP       texts `json:"ip"`
	Port     text  `json:"port"`
	URL      text  `json:"url"`
	Asset    struct {
		Hostname text  `json:"hostname"`
		IP       texts `json:"ip"`
	} `json:"asset"`
	User struct {
		UserID              text  `json:"userid"`
		EmailAddresses      texts `json:"emailAddresses"`
		EmailAddressesSnake texts `json:"email_addresses"`
	} `json:"user"`
	Process *googleSecopsProcess `json:"process"`
	File    googleSecopsFile     `json:"file"`
}

type googleSecopsProcess struct {
	PID              text             `json:"pid"`
	CommandLine      text             `json:"commandLine"`
	CommandLineSnake text             `json:"command_line"`
	File             googleSecopsFile `json:"file"`
	ParentProcess    *struct {
		File googleSecopsFile `json:"file"`
	} `json:"parentProcess"`
}

type googleSecopsFile struct {
	FullPath      text `json:"fullPath"`
	FullPathSnake text `json:"full_path"`
	SHA256        text `json:"sha256"`
	SHA1          text `json:"sha1"`
	MD5           text `json:"md5"`
}

type googleSecopsNetwork struct {
	Email struct {
		From    text  `json:"from"`
		To      texts `json:"to"`
		Subject texts `json:"subject"`
	} `json:"email"`
	DNS struct {
		Questions []struct {
			Name text `json:"name"`
		} `json:"questions"`
	} `json:"dns"`
}

type googleSecopsSecurityResult struct {
	Severity           text                `json:"severity"`
	RuleName           text                `json:"ruleName"`
	RuleNameSnake      text                `json:"rule_name"`
	Summary            text                `json:"summary"`
	AttackDetails      *googleSecopsAttack `json:"attackDetails"`
	AttackDetailsSnake *googleSecopsAttack `json:"attack_details"`
}

type googleSecopsAttack struct {
	Techniques []struct {
		ID text `json:"id"`
	} `json:"techniques"`
	Tactics []struct {
		ID   text `json:"id"`
		Name text `json:"name"`
	} `json:"tactics"`
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
	i := skipWS(list, 1)
	if i >= len(list) || list[i] != '{' {
		return false
	}
	end := valueEnd(list, i)
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
// list response.
func (googleSecops) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	var env struct {
		Detections []json.RawMessage `json:"detections"`
		Detection  json.RawMessage   `json:"detection"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("decode google_secops detection: %w", err)
	}
	if env.Detection != nil || env.Detections == nil {
		a, err := googleSecopsAlert(raw)
		if err != nil {
			return err
		}
		return emit(a)
	}
	for i, el := range env.Detections {
		a, err := googleSecopsAlert(el)
		if err != nil {
			return fmt.Errorf("google_secops detections[%d]: %w", i, err)
		}
		a.Raw = el
		if err := emit(a); err != nil {
			return err
		}
	}
	return nil
}

func googleSecopsAlert(raw []byte) (alert.Alert, error) {
	var d googleSecopsDetection
	if err := json.Unmarshal(raw, &d); err != nil {
		return alert.Alert{}, fmt.Errorf("decode google_secops detection: %w", err)
	}
	if len(d.Detection) == 0 {
		return alert.Alert{}, errors.New("google_secops detection without detection[]")
	}
	det := &d.Detection[0]
	if det.RuleName == "" && det.RuleID == "" {
		return alert.Alert{}, errors.New("google_secops detection without ruleName or ruleId")
	}
	var events []*googleSecopsEvent
	if d.Event != nil {
		events = append(events, d.Event)
	}
	for _, ce := range d.CollectionElements {
		for _, ref := range ce.References {
			if ref.Event != nil {
				events = append(events, ref.Event)
			}
		}
	}
	ts := crowdstrikeFirst(d.DetectionTime, d.CreatedTime, d.TimeWindow.EndTime)
	if ts == "" && len(events) > 0 {
		ts = string(events[0].Metadata.EventTimestamp)
	}
	var t time.Time
	if ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("google_secops detectionTime: %w", err)
		}
	}
	labels := map[string]string{}
	for _, l := range det.RuleLabels {
		if _, dup := labels[string(l.Key)]; !dup {
			labels[string(l.Key)] = string(l.Value)
		}
	}
	a := alert.Alert{
		Source:      "google_secops",
		ID:          string(d.ID),
		Time:        t,
		Title:       crowdstrikeFirst(text(labels["rule_name"]), det.RuleName, det.RuleID),
		Description: crowdstrikeFirst(det.Description, text(labels["description"])),
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
		if lt := ev.Metadata.LogType; lt != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "log_type:"+string(lt))
		}
		a.Text = appendUnique(a.Text, string(ev.Metadata.Description))
		for _, sr := range append(append([]googleSecopsSecurityResult(nil), ev.SecurityResult...), ev.SecurityResultSnake...) {
			if googleSecopsRank(string(sr.Severity)) > googleSecopsRank(resultSev) {
				resultSev = string(sr.Severity)
			}
			a.Text = appendUnique(a.Text, string(sr.Summary))
			if rn := crowdstrikeFirst(sr.RuleName, sr.RuleNameSnake); rn != "" {
				a.Rule.Tags = appendUnique(a.Rule.Tags, "udm_rule:"+rn)
			}
			for _, ad := range []*googleSecopsAttack{sr.AttackDetails, sr.AttackDetailsSnake} {
				if ad == nil {
					continue
				}
				for _, tq := range ad.Techniques {
					if isTechniqueID(string(tq.ID)) {
						a.Techniques = appendUnique(a.Techniques, string(tq.ID))
					}
				}
				for _, tc := range ad.Tactics {
					a.Rule.Tags = appendUnique(a.Rule.Tags, "tactic:"+crowdstrikeFirst(tc.ID, tc.Name))
				}
			}
		}
		googleSecopsEntities(&a.Entities, ev)
	}
	a.Severity, a.SourceSeverity = googleSecopsSeverity(string(det.Severity), labels["severity"], string(det.RiskScore), resultSev)
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
		if h := crowdstrikeFirst(n.Hostname, n.Asset.Hostname); h != "" {
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
		en.Users = appendUser(en.Users, string(n.User.UserID))
		if n.User.UserID == "" {
			for _, e := range append(append(texts(nil), n.User.EmailAddresses...), n.User.EmailAddressesSnake...) {
				en.Users = appendUser(en.Users, e)
			}
		}
		if p := n.Process; p != nil {
			path := crowdstrikeFirst(p.File.FullPath, p.File.FullPathSnake)
			proc := alert.Process{
				Name:        googleSecopsBase(path),
				Path:        path,
				CommandLine: crowdstrikeFirst(p.CommandLine, p.CommandLineSnake),
				PID:         atoi(string(p.PID)),
			}
			if p.ParentProcess != nil {
				proc.Parent = googleSecopsBase(crowdstrikeFirst(p.ParentProcess.File.FullPath, p.ParentProcess.File.FullPathSnake))
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
	em := &ev.Network.Email
	if em.From != "" || len(em.To) > 0 || len(em.Subject) > 0 {
		if en.Email == nil {
			en.Email = &alert.Email{}
		}
		if en.Email.From == "" {
			en.Email.From = string(em.From)
		}
		en.Email.To = appendUnique(en.Email.To, em.To...)
		if en.Email.Subject == "" && len(em.Subject) > 0 {
			en.Email.Subject = em.Subject[0]
		}
	}
	for _, q := range ev.Network.DNS.Questions {
		en.Domains = appendDomain(en.Domains, string(q.Name))
	}
}

func googleSecopsIPs(n *googleSecopsNoun) []string {
	if len(n.IP) > 0 {
		return n.IP
	}
	return n.Asset.IP
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
	path := crowdstrikeFirst(f.FullPath, f.FullPathSnake)
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
