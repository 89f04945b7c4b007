package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
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
	DetectID                      text      `json:"DetectId"`
	CompositeID                   text      `json:"CompositeId"`
	DetectName                    text      `json:"DetectName"`
	Name                          text      `json:"Name"`
	DetectDescription             text      `json:"DetectDescription"`
	Description                   text      `json:"Description"`
	Severity                      text      `json:"Severity"`
	SeverityName                  text      `json:"SeverityName"`
	Tactic                        text      `json:"Tactic"`
	TacticID                      text      `json:"TacticId"`
	Technique                     text      `json:"Technique"`
	TechniqueID                   text      `json:"TechniqueId"`
	Objective                     text      `json:"Objective"`
	PatternID                     text      `json:"PatternId"`
	ComputerName                  text      `json:"ComputerName"`
	Hostname                      text      `json:"Hostname"`
	AgentID                       text      `json:"AgentId"`
	SensorID                      text      `json:"SensorId"`
	UserName                      text      `json:"UserName"`
	LogonDomain                   text      `json:"LogonDomain"`
	LocalIP                       text      `json:"LocalIP"`
	LocalIPAddress                text      `json:"LocalIPAddress"`
	MACAddress                    text      `json:"MACAddress"`
	FileName                      text      `json:"FileName"`
	FilePath                      text      `json:"FilePath"`
	CommandLine                   text      `json:"CommandLine"`
	ProcessID                     text      `json:"ProcessId"`
	SHA256String                  text      `json:"SHA256String"`
	SHA256                        text      `json:"SHA256"`
	SHA1String                    text      `json:"SHA1String"`
	MD5String                     text      `json:"MD5String"`
	ParentImageFileName           text      `json:"ParentImageFileName"`
	ParentImageFilePath           text      `json:"ParentImageFilePath"`
	ParentCommandLine             text      `json:"ParentCommandLine"`
	GrandparentImageFileName      text      `json:"GrandparentImageFileName"`
	GrandParentImageFileName      text      `json:"GrandParentImageFileName"`
	GrandParentImageFilePath      text      `json:"GrandParentImageFilePath"`
	GrandParentCommandLine        text      `json:"GrandParentCommandLine"`
	PatternDispositionDescription text      `json:"PatternDispositionDescription"`
	ProcessStartTime              text      `json:"ProcessStartTime"`
	FilesWritten                  [][2]text // FileName, FilePath
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

// Normalize reads the members it needs from the scanned record rather than
// decoding it with encoding/json, which spent most of its time on members
// Winnow ignores (PatternDispositionFlags, host groups); the record is
// validated first, so a broken one is an error, never a partial alert.
func (crowdstrike) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("crowdstrike event is not valid JSON")
	}
	var r crowdstrikeRecord
	_, err := scanObject(raw, func([]byte, []byte) error { return nil }, func(key []byte) (func(k, v []byte) error, scanSub) {
		switch string(key) {
		case "metadata":
			return r.setMetadata, nil
		case "event":
			r.Event = new(crowdstrikeEvent)
			return r.Event.set, nil
		}
		return nil, nil
	})
	if err != nil {
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

func (r *crowdstrikeRecord) setMetadata(key, v []byte) error {
	switch string(key) {
	case "eventType":
		return r.Metadata.EventType.UnmarshalJSON(v)
	case "eventCreationTime":
		return r.Metadata.EventCreationTime.UnmarshalJSON(v)
	case "offset":
		return r.Metadata.Offset.UnmarshalJSON(v)
	}
	return nil
}

// set stores one event member; members Winnow does not read are skipped.
func (e *crowdstrikeEvent) set(key, v []byte) error {
	var t *text
	switch string(key) {
	case "DetectId":
		t = &e.DetectID
	case "CompositeId":
		t = &e.CompositeID
	case "DetectName":
		t = &e.DetectName
	case "Name":
		t = &e.Name
	case "DetectDescription":
		t = &e.DetectDescription
	case "Description":
		t = &e.Description
	case "Severity":
		t = &e.Severity
	case "SeverityName":
		t = &e.SeverityName
	case "Tactic":
		t = &e.Tactic
	case "TacticId":
		t = &e.TacticID
	case "Technique":
		t = &e.Technique
	case "TechniqueId":
		t = &e.TechniqueID
	case "Objective":
		t = &e.Objective
	case "PatternId":
		t = &e.PatternID
	case "ComputerName":
		t = &e.ComputerName
	case "Hostname":
		t = &e.Hostname
	case "AgentId":
		t = &e.AgentID
	case "SensorId":
		t = &e.SensorID
	case "UserName":
		t = &e.UserName
	case "LogonDomain":
		t = &e.LogonDomain
	case "LocalIP":
		t = &e.LocalIP
	case "LocalIPAddress":
		t = &e.LocalIPAddress
	case "MACAddress":
		t = &e.MACAddress
	case "FileName":
		t = &e.FileName
	case "FilePath":
		t = &e.FilePath
	case "CommandLine":
		t = &e.CommandLine
	case "ProcessId":
		t = &e.ProcessID
	case "SHA256String":
		t = &e.SHA256String
	case "SHA256":
		t = &e.SHA256
	case "SHA1String":
		t = &e.SHA1String
	case "MD5String":
		t = &e.MD5String
	case "ParentImageFileName":
		t = &e.ParentImageFileName
	case "ParentImageFilePath":
		t = &e.ParentImageFilePath
	case "ParentCommandLine":
		t = &e.ParentCommandLine
	case "GrandparentImageFileName":
		t = &e.GrandparentImageFileName
	case "GrandParentImageFileName":
		t = &e.GrandParentImageFileName
	case "GrandParentImageFilePath":
		t = &e.GrandParentImageFilePath
	case "GrandParentCommandLine":
		t = &e.GrandParentCommandLine
	case "PatternDispositionDescription":
		t = &e.PatternDispositionDescription
	case "ProcessStartTime":
		t = &e.ProcessStartTime
	case "FilesWritten":
		return scanElements(v, func(el []byte) error {
			var name, path text
			err := scanMembers(el, func(k, v []byte) error {
				switch string(k) {
				case "FileName":
					return name.UnmarshalJSON(v)
				case "FilePath":
					return path.UnmarshalJSON(v)
				}
				return nil
			})
			e.FilesWritten = append(e.FilesWritten, [2]text{name, path})
			return err
		})
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
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
		if w[0] != "" || w[1] != "" {
			en.Files = append(en.Files, alert.File{Name: string(w[0]), Path: string(w[1])})
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
