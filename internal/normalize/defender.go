package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Microsoft Defender XDR incidents API (api.security.microsoft.com/api/
// incidents): a list response {"@odata.context", "value": [incident...]}
// or one incident. Each incident holds its alerts; every alert becomes one
// Winnow alert tagged with its incident, with the alert object as Raw.
// Defender for Office 365 email alerts (MailBox, MailMessage entities) fill
// Entities.Email. Reference:
// https://learn.microsoft.com/defender-xdr/api-list-incidents
func init() { Register(defender{}) }

type defender struct{}

func (defender) Name() string { return "defender" }

func (defender) Detect(fs Fields, _ []byte) bool {
	if v := fs.Value("value"); len(v) > 0 && v[0] == '[' {
		if first := msgraphFirst(v); first != nil {
			ok := false
			_ = withFields(first, func(inner Fields) error { ok = defenderIsIncident(inner); return nil })
			return ok
		}
		return bytes.Contains(fs.Value("@odata.context"), []byte("api.security.microsoft.com"))
	}
	return defenderIsIncident(fs)
}

// defenderIsIncident: Graph incidents have displayName and no
// incidentName, Graph alerts an incidentId but no incidentName.
func defenderIsIncident(fs Fields) bool {
	return fs.Has("incidentId") && fs.Has("incidentName") && fs.Has("alerts")
}

// defenderIncident holds the incident members each of its alerts carries
// as tags; severity and times come from the alerts themselves.
type defenderIncident struct {
	IncidentID   text
	IncidentName text
	Tags         texts
}

type defenderAlert struct {
	AlertID          text             `json:"alertId"`
	IncidentID       text             `json:"incidentId"`
	ServiceSource    text             `json:"serviceSource"`
	DetectionSource  text             `json:"detectionSource"`
	CreationTime     text             `json:"creationTime"`
	FirstActivity    text             `json:"firstActivity"`
	Title            text             `json:"title"`
	Description      text             `json:"description"`
	Category         text             `json:"category"`
	Status           text             `json:"status"`
	Severity         text             `json:"severity"`
	Classification   text             `json:"classification"`
	Determination    text             `json:"determination"`
	ThreatFamilyName text             `json:"threatFamilyName"`
	MitreTechniques  texts            `json:"mitreTechniques"`
	Devices          []defenderDevice `json:"devices"`
	Entities         []defenderEntity `json:"entities"`
}

type defenderDevice struct {
	MdatpDeviceID text `json:"mdatpDeviceId"`
	DeviceDNSName text `json:"deviceDnsName"`
}

type defenderEntity struct {
	EntityType         text `json:"entityType"`
	SHA1               text `json:"sha1"`
	SHA256             text `json:"sha256"`
	FileName           text `json:"fileName"`
	FilePath           text `json:"filePath"`
	ProcessID          text `json:"processId"`
	ProcessCommandLine text `json:"processCommandLine"`
	IPAddress          text `json:"ipAddress"`
	URL                text `json:"url"`
	AccountName        text `json:"accountName"`
	DomainName         text `json:"domainName"`
	UserPrincipalName  text `json:"userPrincipalName"`
	MailboxAddress     text `json:"mailboxAddress"`
	Sender             text `json:"sender"`
	Recipient          text `json:"recipient"`
	Subject            text `json:"subject"`
	DeliveryAction     text `json:"deliveryAction"`
	RegistryHive       text `json:"registryHive"`
	RegistryKey        text `json:"registryKey"`
}

func (defender) Normalize(raw []byte) (alert.Alert, error) {
	return msgraphOne("defender", defender{}, raw)
}

func (defender) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("defender record is not valid JSON")
	}
	var list []byte
	if err := withFields(raw, func(fs Fields) error {
		if v := fs.Value("value"); len(v) > 0 && v[0] == '[' {
			list = v
		}
		return nil
	}); err != nil {
		return err
	}
	if list == nil {
		return defenderIncidentAlerts(raw, emit)
	}
	return msgraphElements(list, func(i int, el []byte) error {
		if err := defenderIncidentAlerts(el, emit); err != nil {
			return fmt.Errorf("defender value[%d]: %w", i, err)
		}
		return nil
	})
}

// defenderIncidentAlerts reads the incident's own members from the
// scanned object and decodes each alert once.
func defenderIncidentAlerts(raw []byte, emit func(alert.Alert) error) error {
	var in defenderIncident
	var alerts []byte
	err := withFields(raw, func(fs Fields) error {
		for _, f := range fs {
			var t *text
			switch string(f.Key) {
			case "incidentId":
				t = &in.IncidentID
			case "incidentName":
				t = &in.IncidentName
			case "tags":
				if err := in.Tags.UnmarshalJSON(f.Value); err != nil {
					return fmt.Errorf("defender incident tags: %w", err)
				}
			case "alerts":
				alerts = f.Value
			}
			if t != nil {
				if err := t.UnmarshalJSON(f.Value); err != nil {
					return fmt.Errorf("defender incident %s: %w", f.Key, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if in.IncidentID == "" {
		return errors.New("defender incident without incidentId")
	}
	if len(alerts) == 0 || alerts[0] != '[' {
		return nil
	}
	return msgraphElements(alerts, func(i int, el []byte) error {
		var r defenderAlert
		if err := json.Unmarshal(el, &r); err != nil {
			return fmt.Errorf("decode defender incident %s alert %d: %w", in.IncidentID, i, err)
		}
		a, err := r.alert(&in, el)
		if err != nil {
			return fmt.Errorf("defender incident %s alert %d: %w", in.IncidentID, i, err)
		}
		a.Raw = el
		return emit(a)
	})
}

func (r *defenderAlert) alert(in *defenderIncident, raw []byte) (alert.Alert, error) {
	if r.Title == "" {
		return alert.Alert{}, errors.New("alert without title")
	}
	t, err := msgraphTime("defender", r.FirstActivity, r.CreationTime)
	if err != nil {
		return alert.Alert{}, err
	}
	a := alert.Alert{Time: t}
	a.Source = "defender"
	a.ID = string(r.AlertID)
	if a.ID == "" {
		a.ID = alert.ContentID("defender", raw)
	}
	a.Title = string(r.Title)
	a.Description = string(r.Description)
	a.SourceSeverity = string(r.Severity)
	a.Severity = sentinelSeverity(a.SourceSeverity)
	a.Rule = alert.Rule{Name: a.Title, Category: string(r.Category), Tags: []string{"defender:alert", "incident:" + string(in.IncidentID)}}
	for _, kv := range [][2]text{
		{"incident_name", in.IncidentName}, {"service_source", r.ServiceSource}, {"detection_source", r.DetectionSource},
		{"status", r.Status}, {"classification", r.Classification}, {"determination", r.Determination},
		{"threat_family", r.ThreatFamilyName},
	} {
		if kv[1] != "" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	for _, t := range in.Tags {
		a.Rule.Tags = append(a.Rule.Tags, "incident_tag:"+t)
	}
	for _, id := range r.MitreTechniques {
		if isTechniqueID(id) {
			a.Techniques = appendUnique(a.Techniques, id)
		}
	}
	en := &a.Entities
	for _, d := range r.Devices {
		if d.DeviceDNSName != "" || d.MdatpDeviceID != "" {
			en.Hosts = sentinelAddHost(en.Hosts, alert.Host{Name: string(d.DeviceDNSName), ID: string(d.MdatpDeviceID)})
		}
	}
	for i := range r.Entities {
		defenderEntityTo(&a, &r.Entities[i])
	}
	msgraphDropEmptyEmail(&a)
	return a, nil
}

func defenderEntityTo(a *alert.Alert, e *defenderEntity) {
	en := &a.Entities
	switch strings.ToLower(string(e.EntityType)) {
	case "user":
		msgraphAddUser(en, &msgraphUser{AccountName: e.AccountName, DomainName: e.DomainName, UserPrincipalName: e.UserPrincipalName})
	case "ip":
		msgraphAddSrc(en, string(e.IPAddress))
	case "url":
		en.URLs = appendUnique(en.URLs, string(e.URL))
	case "file":
		msgraphAddFile(en, &msgraphFile{FileName: e.FileName, FilePath: e.FilePath, SHA1: e.SHA1, SHA256: e.SHA256})
	case "process":
		f := &msgraphFile{FileName: e.FileName, FilePath: e.FilePath, SHA1: e.SHA1, SHA256: e.SHA256}
		p := alert.Process{Name: string(e.FileName), Path: msgraphPath(f), CommandLine: string(e.ProcessCommandLine), PID: atoi(string(e.ProcessID))}
		if p != (alert.Process{}) {
			en.Processes = append(en.Processes, p)
		}
		msgraphAddFile(en, f)
	case "mailbox":
		en.Users = appendUser(en.Users, firstOf(e.MailboxAddress, e.UserPrincipalName))
	case "mailmessage":
		if en.Email == nil {
			en.Email = &alert.Email{}
		}
		if en.Email.From == "" {
			en.Email.From = string(e.Sender)
		}
		if en.Email.Subject == "" {
			en.Email.Subject = string(e.Subject)
		}
		en.Email.To = appendUnique(en.Email.To, string(e.Recipient))
		if e.DeliveryAction != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "delivery_action:"+string(e.DeliveryAction))
		}
	case "registry":
		if e.RegistryKey != "" {
			a.Text = appendUnique(a.Text, strings.TrimPrefix(string(e.RegistryHive)+`\`+string(e.RegistryKey), `\`))
		}
	}
}
