package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
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
		NetworkInterfaces []struct {
			Inet texts `json:"inet"`
		} `json:"networkInterfaces"`
	} `json:"agentRealtimeInfo"`
	ThreatInfo *struct {
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
	} `json:"threatInfo"`
	Indicators []struct {
		Category    text `json:"category"`
		Description text `json:"description"`
		Tactics     []struct {
			Name       text `json:"name"`
			Techniques []struct {
				Name text `json:"name"`
				Link text `json:"link"`
			} `json:"techniques"`
		} `json:"tactics"`
	} `json:"indicators"`
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
// list emits none.
func (sentinelone) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	var env struct {
		Data       []json.RawMessage `json:"data"`
		ThreatInfo json.RawMessage   `json:"threatInfo"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("decode sentinelone threat: %w", err)
	}
	if env.ThreatInfo != nil || env.Data == nil {
		a, err := sentineloneAlert(raw)
		if err != nil {
			return err
		}
		return emit(a)
	}
	for i, el := range env.Data {
		a, err := sentineloneAlert(el)
		if err != nil {
			return fmt.Errorf("sentinelone data[%d]: %w", i, err)
		}
		a.Raw = el
		if err := emit(a); err != nil {
			return err
		}
	}
	return nil
}

func sentineloneAlert(raw []byte) (alert.Alert, error) {
	var r sentineloneThreat
	if err := json.Unmarshal(raw, &r); err != nil {
		return alert.Alert{}, fmt.Errorf("decode sentinelone threat: %w", err)
	}
	ti := r.ThreatInfo
	if ti == nil || (ti.ThreatName == "" && ti.Classification == "") {
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
	title := string(ti.ThreatName)
	if ti.Classification != "" {
		title = strings.TrimSpace(string(ti.Classification) + " detected: " + title)
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
				if sentineloneTechnique(string(tech.Name), string(tech.Link)) {
					a.Techniques = appendUnique(a.Techniques, string(tech.Name))
				} else if tech.Name != "" {
					a.Rule.Tags = appendUnique(a.Rule.Tags, "technique:"+string(tech.Name))
				}
			}
		}
	}
	ip := string(r.AgentDetectionInfo.AgentIPV4)
	for _, ni := range r.AgentRealtimeInfo.NetworkInterfaces {
		if ip == "" && len(ni.Inet) > 0 {
			ip = ni.Inet[0]
		}
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
	u, err := url.Parse(link)
	return err == nil && (u.Hostname() == "attack.mitre.org" || strings.HasSuffix(u.Hostname(), ".attack.mitre.org"))
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
