package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// SentinelOne threats from the management API GET /web/api/v2.1/threats:
// single threat objects and the list envelope {"data":[...],
// "pagination":{...}}, which is a Multi record. Reference:
// https://<console>/api-doc/api-details?category=threats&api=get-threats
// (SentinelOne API v2.1 "Get Threats").
func init() { Register(sentinelone{}) }

type sentinelone struct{}

type sentineloneThreat struct {
	ID                 text `json:"id"`
	AgentDetectionInfo struct {
		AgentIPV4                 text `json:"agentIpV4"`
		AgentLastLoggedInUserName text `json:"agentLastLoggedInUserName"`
		AgentDomain               text `json:"agentDomain"`
	} `json:"agentDetectionInfo"`
	AgentRealtimeInfo struct {
		AgentComputerName text `json:"agentComputerName"`
		AgentID           text `json:"agentId"`
		AgentOSName       text `json:"agentOsName"`
		// Inet holds the IPv4 addresses of all networkInterfaces.
		Inet texts
	} `json:"agentRealtimeInfo"`
	ThreatInfo *sentineloneThreatInfo `json:"threatInfo"`
	Indicators []sentineloneIndicator `json:"indicators"`
}

type sentineloneIndicator struct {
	Category    text
	Description text
	Tactics     []sentineloneTactic
}

type sentineloneTactic struct {
	Name       text
	Techniques [][2]text // name, link
}

type sentineloneThreatInfo struct {
	ThreatID                    text  `json:"threatId"`
	ThreatName                  text  `json:"threatName"`
	Classification              text  `json:"classification"`
	ConfidenceLevel             text  `json:"confidenceLevel"`
	SHA1                        text  `json:"sha1"`
	SHA256                      text  `json:"sha256"`
	MD5                         text  `json:"md5"`
	FilePath                    text  `json:"filePath"`
	FileDisplayName             text  `json:"fileDisplayName"`
	InitiatedBy                 text  `json:"initiatedBy"`
	MitigationStatus            text  `json:"mitigationStatus"`
	MitigationStatusDescription text  `json:"mitigationStatusDescription"`
	AnalystVerdict              text  `json:"analystVerdict"`
	IncidentStatus              text  `json:"incidentStatus"`
	CreatedAt                   text  `json:"createdAt"`
	IdentifiedAt                text  `json:"identifiedAt"`
	Storyline                   text  `json:"storyline"`
	ProcessUser                 text  `json:"processUser"`
	OriginatorProcess           text  `json:"originatorProcess"`
	MaliciousProcessArguments   text  `json:"maliciousProcessArguments"`
	DetectionType               text  `json:"detectionType"`
	Engines                     texts `json:"engines"`
}

func (sentinelone) Name() string { return "sentinelone" }

// Detect claims threat objects (threatInfo next to agent information) and
// list envelopes whose data holds them.
func (sentinelone) Detect(fs Fields, _ []byte) bool {
	if fs.Has("threatInfo") && (fs.Has("agentRealtimeInfo") || fs.Has("agentDetectionInfo")) {
		return true
	}
	d := fs.Value("data")
	return d != nil && d[0] == '[' && fs.Has("pagination") && bytes.Contains(d, []byte(`"threatInfo"`))
}

func (s sentinelone) Normalize(raw []byte) (alert.Alert, error) {
	var out []alert.Alert
	if err := s.NormalizeAll(raw, func(a alert.Alert) error { out = append(out, a); return nil }); err != nil {
		return alert.Alert{}, err
	}
	if len(out) != 1 {
		return alert.Alert{}, fmt.Errorf("sentinelone envelope holds %d threats, not one: use NormalizeAll", len(out))
	}
	return out[0], nil
}

// NormalizeAll emits one alert per threat; an envelope with an empty data
// list emits none. Like crowdstrike it reads members from the scanned,
// validated record instead of decoding it with encoding/json: threats
// carry many members Winnow ignores.
func (sentinelone) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("sentinelone threat is not valid JSON")
	}
	// One scan reads the threat's members and notes an envelope's data.
	r, data, err := sentineloneDecode(raw)
	if err != nil {
		return err
	}
	if r.ThreatInfo != nil || data == nil || data[0] != '[' {
		a, err := r.alert(raw)
		if err != nil {
			return err
		}
		return emit(a)
	}
	i := 0
	return scanElements(data, func(el []byte) error {
		r, _, err := sentineloneDecode(el)
		a := alert.Alert{}
		if err == nil {
			a, err = r.alert(el)
		}
		if err != nil {
			return fmt.Errorf("sentinelone data[%d]: %w", i, err)
		}
		i++
		a.Raw = el
		return emit(a)
	})
}

// sentineloneDecode reads a validated threat object, and the data member
// should it be an envelope.
func sentineloneDecode(raw []byte) (r *sentineloneThreat, data []byte, err error) {
	r = new(sentineloneThreat)
	_, err = scanObject(raw, func(key, v []byte) error {
		switch string(key) {
		case "data":
			data = v
		case "id":
			return r.ID.UnmarshalJSON(v)
		case "indicators":
			return scanElements(v, r.addIndicator)
		}
		return nil
	}, func(key []byte) (func(k, v []byte) error, scanSub) {
		switch string(key) {
		case "agentDetectionInfo":
			return r.setDetectionInfo, nil
		case "agentRealtimeInfo":
			return r.setRealtimeInfo, nil
		case "threatInfo":
			r.ThreatInfo = new(sentineloneThreatInfo)
			return r.ThreatInfo.set, nil
		}
		return nil, nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("decode sentinelone threat: %w", err)
	}
	return r, data, nil
}

// alert converts the decoded threat; raw is its record, for a content ID.
func (r *sentineloneThreat) alert(raw []byte) (alert.Alert, error) {
	ti := r.ThreatInfo
	if ti == nil || crowdstrikeFirst(ti.ThreatName, ti.Classification) == "" {
		return alert.Alert{}, errors.New("sentinelone threat without threatInfo.threatName or classification")
	}
	ts := crowdstrikeFirst(ti.IdentifiedAt, ti.CreatedAt)
	var t time.Time
	if ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("sentinelone identifiedAt: %w", err)
		}
	}
	title := strings.TrimSpace(string(ti.ThreatName))
	if c := strings.TrimSpace(string(ti.Classification)); c != "" {
		title = strings.TrimSpace(c + " detected: " + title)
	}
	host := string(r.AgentRealtimeInfo.AgentComputerName)
	a := alert.Alert{
		Source:         "sentinelone",
		ID:             crowdstrikeFirst(ti.ThreatID, r.ID),
		Time:           t,
		Title:          title,
		Severity:       sentineloneSeverity(string(ti.ConfidenceLevel)),
		SourceSeverity: string(ti.ConfidenceLevel),
		Rule: alert.Rule{
			Name:     strings.Join(ti.Engines, ", "),
			Category: string(ti.Classification),
		},
	}
	if a.ID == "" {
		a.ID = alert.ContentID("sentinelone", raw)
	}
	var desc []string
	if ti.Classification != "" {
		desc = append(desc, fmt.Sprintf("%s %q", ti.Classification, string(ti.ThreatName)))
	}
	if host != "" {
		desc = append(desc, "on "+host)
	}
	if ti.MitigationStatusDescription != "" {
		desc = append(desc, "("+string(ti.MitigationStatusDescription)+")")
	}
	a.Description = strings.Join(desc, " ")
	for _, kv := range [][2]text{
		{"detection_type", ti.DetectionType}, {"initiated_by", ti.InitiatedBy}, {"mitigation_status", ti.MitigationStatus},
		{"analyst_verdict", ti.AnalystVerdict}, {"incident_status", ti.IncidentStatus}, {"storyline", ti.Storyline},
	} {
		if kv[1] != "" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	for _, ind := range r.Indicators {
		a.Rule.Tags = appendUnique(a.Rule.Tags, "indicator:"+string(ind.Category))
		a.Text = appendUnique(a.Text, string(ind.Description))
		for _, tac := range ind.Tactics {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "tactic:"+string(tac.Name))
			for _, tech := range tac.Techniques {
				name, link := string(tech[0]), string(tech[1])
				if sentineloneTechnique(name, link) {
					a.Techniques = appendUnique(a.Techniques, name)
				} else if name != "" {
					a.Rule.Tags = appendUnique(a.Rule.Tags, "technique:"+name)
				}
			}
		}
	}
	ip := string(r.AgentDetectionInfo.AgentIPV4)
	if ip == "" && len(r.AgentRealtimeInfo.Inet) > 0 {
		ip = r.AgentRealtimeInfo.Inet[0]
	}
	if !isIP(ip) {
		ip = ""
	}
	if h := (alert.Host{Name: host, IP: ip, ID: string(r.AgentRealtimeInfo.AgentID)}); h != (alert.Host{}) {
		a.Entities.Hosts = []alert.Host{h}
	}
	a.Entities.Users = appendUser(a.Entities.Users, string(ti.ProcessUser))
	a.Entities.Users = appendUser(a.Entities.Users, string(r.AgentDetectionInfo.AgentLastLoggedInUserName))
	if ti.OriginatorProcess != "" {
		a.Entities.Processes = []alert.Process{{Name: string(ti.OriginatorProcess), CommandLine: string(ti.MaliciousProcessArguments)}}
	}
	f := alert.File{Name: string(ti.FileDisplayName), Path: string(ti.FilePath), MD5: string(ti.MD5), SHA1: string(ti.SHA1), SHA256: string(ti.SHA256)}
	if f != (alert.File{}) {
		a.Entities.Files = []alert.File{f}
	}
	return a, nil
}

// addIndicator decodes one indicators[] element: category, description
// and tactics[]{name, techniques[]{name, link}}.
func (r *sentineloneThreat) addIndicator(el []byte) error {
	var ind sentineloneIndicator
	err := scanMembers(el, func(k, v []byte) error {
		switch string(k) {
		case "category":
			return ind.Category.UnmarshalJSON(v)
		case "description":
			return ind.Description.UnmarshalJSON(v)
		case "tactics":
			return scanElements(v, func(el []byte) error {
				var tac sentineloneTactic
				err := scanMembers(el, func(k, v []byte) error {
					switch string(k) {
					case "name":
						return tac.Name.UnmarshalJSON(v)
					case "techniques":
						return scanElements(v, func(el []byte) error {
							var nl [2]text
							err := scanMembers(el, func(k, v []byte) error {
								switch string(k) {
								case "name":
									return nl[0].UnmarshalJSON(v)
								case "link":
									return nl[1].UnmarshalJSON(v)
								}
								return nil
							})
							tac.Techniques = append(tac.Techniques, nl)
							return err
						})
					}
					return nil
				})
				ind.Tactics = append(ind.Tactics, tac)
				return err
			})
		}
		return nil
	})
	r.Indicators = append(r.Indicators, ind)
	return err
}

func (r *sentineloneThreat) setDetectionInfo(key, v []byte) error {
	switch string(key) {
	case "agentIpV4":
		return r.AgentDetectionInfo.AgentIPV4.UnmarshalJSON(v)
	case "agentLastLoggedInUserName":
		return r.AgentDetectionInfo.AgentLastLoggedInUserName.UnmarshalJSON(v)
	case "agentDomain":
		return r.AgentDetectionInfo.AgentDomain.UnmarshalJSON(v)
	}
	return nil
}

func (r *sentineloneThreat) setRealtimeInfo(key, v []byte) error {
	ri := &r.AgentRealtimeInfo
	switch string(key) {
	case "agentComputerName":
		return ri.AgentComputerName.UnmarshalJSON(v)
	case "agentId":
		return ri.AgentID.UnmarshalJSON(v)
	case "agentOsName":
		return ri.AgentOSName.UnmarshalJSON(v)
	case "networkInterfaces":
		return scanElements(v, func(el []byte) error {
			var inet texts
			err := scanMembers(el, func(k, v []byte) error {
				if string(k) == "inet" {
					return scanTexts(v, &inet)
				}
				return nil
			})
			ri.Inet = append(ri.Inet, inet...)
			return err
		})
	}
	return nil
}

// set stores one threatInfo member; members Winnow does not read are
// skipped.
func (ti *sentineloneThreatInfo) set(key, v []byte) error {
	var t *text
	switch string(key) {
	case "threatId":
		t = &ti.ThreatID
	case "threatName":
		t = &ti.ThreatName
	case "classification":
		t = &ti.Classification
	case "confidenceLevel":
		t = &ti.ConfidenceLevel
	case "sha1":
		t = &ti.SHA1
	case "sha256":
		t = &ti.SHA256
	case "md5":
		t = &ti.MD5
	case "filePath":
		t = &ti.FilePath
	case "fileDisplayName":
		t = &ti.FileDisplayName
	case "initiatedBy":
		t = &ti.InitiatedBy
	case "mitigationStatus":
		t = &ti.MitigationStatus
	case "mitigationStatusDescription":
		t = &ti.MitigationStatusDescription
	case "analystVerdict":
		t = &ti.AnalystVerdict
	case "incidentStatus":
		t = &ti.IncidentStatus
	case "createdAt":
		t = &ti.CreatedAt
	case "identifiedAt":
		t = &ti.IdentifiedAt
	case "storyline":
		t = &ti.Storyline
	case "processUser":
		t = &ti.ProcessUser
	case "originatorProcess":
		t = &ti.OriginatorProcess
	case "maliciousProcessArguments":
		t = &ti.MaliciousProcessArguments
	case "detectionType":
		t = &ti.DetectionType
	case "engines":
		return scanTexts(v, &ti.Engines)
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

// sentineloneTechnique accepts a technique the vendor named only when it
// is an ATT&CK ID whose link, if any, points at attack.mitre.org; sanitised
// exports hold placeholders such as "T1234" linking to example.com, which
// stay in Rule.Tags.
func sentineloneTechnique(name, link string) bool {
	if !isTechniqueID(name) {
		return false
	}
	if link == "" {
		return true
	}
	rest, ok := strings.CutPrefix(link, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(link, "http://")
	}
	host, _, _ := strings.Cut(rest, "/")
	return ok && (host == "attack.mitre.org" || strings.HasSuffix(host, ".attack.mitre.org"))
}

// sentineloneSeverity maps threatInfo.confidenceLevel: malicious is high,
// suspicious is medium, anything else (n/a, empty) is low.
func sentineloneSeverity(level string) alert.Severity {
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "malicious":
		return alert.SeverityHigh
	case "suspicious":
		return alert.SeverityMedium
	}
	return alert.SeverityLow
}
