package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// CrowdStrike Falcon detection summaries from the Event Streams API:
// {"metadata":{"eventType":"DetectionSummaryEvent"|"EppDetectionSummaryEvent",
// "eventCreationTime",...},"event":{...}}. Reference:
// https://falcon.crowdstrike.com/documentation/page/d9ee6ba0/streaming-api-event-dictionary
// (DetectionSummaryEvent, EppDetectionSummaryEvent).
func init() { Register(crowdstrike{}) }

type crowdstrike struct{}

type crowdstrikeRecord struct {
	Metadata struct {
		EventType         text `json:"eventType"`
		EventCreationTime text `json:"eventCreationTime"`
		Offset            text `json:"offset"`
	} `json:"metadata"`
	Event *crowdstrikeEvent `json:"event"`
}

// crowdstrikeEvent holds the members of both detection summary versions:
// the classic one (DetectId, DetectName, ComputerName, 1-5 Severity) and
// the EPP one (CompositeId, Name, Hostname, 0-100 Severity).
type crowdstrikeEvent struct {
	DetectID                      text `json:"DetectId"`
	CompositeID                   text `json:"CompositeId"`
	DetectName                    text `json:"DetectName"`
	Name                          text `json:"Name"`
	DetectDescription             text `json:"DetectDescription"`
	Description                   text `json:"Description"`
	Severity                      text `json:"Severity"`
	SeverityName                  text `json:"SeverityName"`
	Tactic                        text `json:"Tactic"`
	TacticID                      text `json:"TacticId"`
	Technique                     text `json:"Technique"`
	TechniqueID                   text `json:"TechniqueId"`
	Objective                     text `json:"Objective"`
	PatternID                     text `json:"PatternId"`
	ComputerName                  text `json:"ComputerName"`
	Hostname                      text `json:"Hostname"`
	AgentID                       text `json:"AgentId"`
	SensorID                      text `json:"SensorId"`
	UserName                      text `json:"UserName"`
	LogonDomain                   text `json:"LogonDomain"`
	LocalIP                       text `json:"LocalIP"`
	LocalIPAddress                text `json:"LocalIPAddress"`
	MACAddress                    text `json:"MACAddress"`
	FileName                      text `json:"FileName"`
	FilePath                      text `json:"FilePath"`
	CommandLine                   text `json:"CommandLine"`
	ProcessID                     text `json:"ProcessId"`
	SHA256String                  text `json:"SHA256String"`
	SHA256                        text `json:"SHA256"`
	SHA1String                    text `json:"SHA1String"`
	MD5String                     text `json:"MD5String"`
	ParentImageFileName           text `json:"ParentImageFileName"`
	ParentImageFilePath           text `json:"ParentImageFilePath"`
	ParentCommandLine             text `json:"ParentCommandLine"`
	GrandparentImageFileName      text `json:"GrandparentImageFileName"`
	GrandParentImageFileName      text `json:"GrandParentImageFileName"`
	GrandParentImageFilePath      text `json:"GrandParentImageFilePath"`
	GrandParentCommandLine        text `json:"GrandParentCommandLine"`
	PatternDispositionDescription text `json:"PatternDispositionDescription"`
	ProcessStartTime              text `json:"ProcessStartTime"`
	FilesWritten                  []struct {
		FileName text `json:"FileName"`
		FilePath text `json:"FilePath"`
	} `json:"FilesWritten"`
}

func (crowdstrike) Name() string { return "crowdstrike" }

// Detect claims Event Streams records whose metadata names a detection
// summary event type.
func (crowdstrike) Detect(fs Fields, _ []byte) bool {
	md := fs.Value("metadata")
	return md != nil && fs.Has("event") &&
		bytes.Contains(md, []byte(`"eventType"`)) && crowdstrikeIsDetection(md)
}

// crowdstrikeIsDetection reports whether the metadata object holds one of
// the detection summary event types, whatever the case of "Epp".
func crowdstrikeIsDetection(md []byte) bool {
	for _, t := range [][]byte{[]byte(`"DetectionSummaryEvent"`), []byte(`"EppDetectionSummaryEvent"`), []byte(`"EPPDetectionSummaryEvent"`)} {
		if bytes.Contains(md, t) {
			return true
		}
	}
	return false
}

func (crowdstrike) Normalize(raw []byte) (alert.Alert, error) {
	var r crowdstrikeRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return alert.Alert{}, fmt.Errorf("decode crowdstrike event: %w", err)
	}
	if !strings.HasSuffix(strings.ToLower(string(r.Metadata.EventType)), "detectionsummaryevent") {
		return alert.Alert{}, fmt.Errorf("crowdstrike eventType %q is not a detection summary", r.Metadata.EventType)
	}
	e := r.Event
	if e == nil {
		return alert.Alert{}, errors.New("crowdstrike detection without event")
	}
	title := crowdstrikeFirst(e.DetectName, e.Name)
	if title == "" && e.Tactic == "" && e.Technique == "" {
		return alert.Alert{}, errors.New("crowdstrike detection without DetectName, Name, Tactic or Technique")
	}
	if title == "" {
		title = strings.Trim("CrowdStrike detection: "+string(e.Tactic)+" / "+string(e.Technique), " /")
	}
	ts := r.Metadata.EventCreationTime
	if ts == "" {
		ts = e.ProcessStartTime
	}
	var t time.Time
	if ts != "" {
		var err error
		if t, err = parseTime(string(ts)); err != nil {
			return alert.Alert{}, fmt.Errorf("crowdstrike eventCreationTime: %w", err)
		}
	}
	sev, srcSev := crowdstrikeSeverity(string(e.Severity), string(e.SeverityName))
	a := alert.Alert{
		Source:         "crowdstrike",
		ID:             crowdstrikeFirst(e.CompositeID, e.DetectID),
		Time:           t,
		Title:          title,
		Description:    crowdstrikeFirst(e.DetectDescription, e.Description),
		Severity:       sev,
		SourceSeverity: srcSev,
		Rule: alert.Rule{
			ID:       string(e.PatternID),
			Name:     title,
			Category: string(e.Tactic),
		},
	}
	if a.ID == "" {
		a.ID = alert.ContentID("crowdstrike", raw)
	}
	for _, kv := range [][2]text{{"tactic", e.Tactic}, {"tactic_id", e.TacticID}, {"technique", e.Technique}, {"objective", e.Objective}, {"disposition", e.PatternDispositionDescription}} {
		if kv[1] != "" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	if isTechniqueID(string(e.TechniqueID)) {
		a.Techniques = []string{string(e.TechniqueID)}
	}
	crowdstrikeEntities(&a.Entities, e)
	return a, nil
}

func crowdstrikeEntities(en *alert.Entities, e *crowdstrikeEvent) {
	h := alert.Host{
		Name: crowdstrikeFirst(e.ComputerName, e.Hostname),
		IP:   crowdstrikeFirst(e.LocalIP, e.LocalIPAddress),
		ID:   crowdstrikeFirst(e.AgentID, e.SensorID),
	}
	if h.IP != "" && !isIP(h.IP) {
		h.IP = ""
	}
	if h != (alert.Host{}) {
		en.Hosts = []alert.Host{h}
	}
	if u := strings.TrimSpace(string(e.UserName)); u != "" {
		en.Users = []alert.User{{Name: u, Domain: string(e.LogonDomain)}}
	}
	if e.FileName != "" || e.FilePath != "" || e.CommandLine != "" {
		en.Processes = append(en.Processes, alert.Process{
			Name:        string(e.FileName),
			Path:        string(e.FilePath),
			CommandLine: string(e.CommandLine),
			PID:         atoi(string(e.ProcessID)),
			Parent:      string(e.ParentImageFileName),
		})
	}
	if e.ParentImageFileName != "" || e.ParentCommandLine != "" {
		en.Processes = append(en.Processes, alert.Process{
			Name:        string(e.ParentImageFileName),
			Path:        string(e.ParentImageFilePath),
			CommandLine: string(e.ParentCommandLine),
			Parent:      crowdstrikeFirst(e.GrandparentImageFileName, e.GrandParentImageFileName),
		})
	}
	if gp := crowdstrikeFirst(e.GrandparentImageFileName, e.GrandParentImageFileName); gp != "" || e.GrandParentCommandLine != "" {
		en.Processes = append(en.Processes, alert.Process{
			Name:        gp,
			Path:        string(e.GrandParentImageFilePath),
			CommandLine: string(e.GrandParentCommandLine),
		})
	}
	f := alert.File{
		Name:   string(e.FileName),
		Path:   string(e.FilePath),
		MD5:    crowdstrikeHash(e.MD5String),
		SHA1:   crowdstrikeHash(e.SHA1String),
		SHA256: crowdstrikeHash(text(crowdstrikeFirst(e.SHA256String, e.SHA256))),
	}
	if f != (alert.File{}) {
		en.Files = append(en.Files, f)
	}
	for _, w := range e.FilesWritten {
		if w.FileName != "" || w.FilePath != "" {
			en.Files = append(en.Files, alert.File{Name: string(w.FileName), Path: string(w.FilePath)})
		}
	}
}

// crowdstrikeHash drops the all-zero placeholder Falcon sends for hashes it
// did not compute.
func crowdstrikeHash(h text) string {
	if strings.Trim(string(h), "0") == "" {
		return ""
	}
	return string(h)
}

// crowdstrikeSeverity maps Falcon severity. SeverityName (Informational,
// Low, Medium, High, Critical) wins; otherwise Severity is read on the
// classic 1-5 scale when it is at most 5, else on the EPP 0-100 scale
// (below 20 info, 20-39 low, 40-59 medium, 60-79 high, 80+ critical).
// The second result is the vendor's value as given.
func crowdstrikeSeverity(num, name string) (alert.Severity, string) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "informational", "info":
		return alert.SeverityInfo, name
	case "low":
		return alert.SeverityLow, name
	case "medium":
		return alert.SeverityMedium, name
	case "high":
		return alert.SeverityHigh, name
	case "critical":
		return alert.SeverityCritical, name
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 0 {
		return alert.SeverityMedium, num
	}
	switch {
	case n <= 5:
		return alert.SeverityFromRank(n), num
	case n < 20:
		return alert.SeverityInfo, num
	case n < 40:
		return alert.SeverityLow, num
	case n < 60:
		return alert.SeverityMedium, num
	case n < 80:
		return alert.SeverityHigh, num
	}
	return alert.SeverityCritical, num
}

// crowdstrikeFirst returns the first non-empty value.
func crowdstrikeFirst(vs ...text) string {
	for _, v := range vs {
		if s := strings.TrimSpace(string(v)); s != "" {
			return s
		}
	}
	return ""
}
