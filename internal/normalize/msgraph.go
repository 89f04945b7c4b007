package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Microsoft Graph security API v1.0 alert (alerts_v2) and incident
// resources, alone or in list responses {"@odata.context", "value": [...]}.
// An incident fetched with $expand=alerts yields one alert per Graph alert
// (tagged with the incident), since each alert has its own evidence,
// techniques and severity; an incident without alerts yields one alert.
// References:
// https://learn.microsoft.com/graph/api/resources/security-alert,
// https://learn.microsoft.com/graph/api/resources/security-incident
func init() { Register(msgraph{}) }

type msgraph struct{}

func (msgraph) Name() string { return "msgraph" }

func (msgraph) Detect(fs Fields, _ []byte) bool {
	if v := fs.Value("value"); len(v) > 0 && v[0] == '[' {
		if first := msgraphFirst(v); first != nil {
			ok := false
			_ = withFields(first, func(inner Fields) error { ok = msgraphIs(inner) != ""; return nil })
			return ok
		}
		// An empty page: only the context URL tells.
		ctx := fs.Value("@odata.context")
		return bytes.Contains(ctx, []byte("graph.microsoft.com")) && bytes.Contains(ctx, []byte("security"))
	}
	return msgraphIs(fs) != ""
}

// msgraphIs returns "alert" or "incident" when the object is a Graph
// security resource of that kind, else "".
func msgraphIs(fs Fields) string {
	switch {
	case fs.StringIs("@odata.type", "#microsoft.graph.security.alert"):
		return "alert"
	case fs.StringIs("@odata.type", "#microsoft.graph.security.incident"):
		return "incident"
	case fs.Has("providerAlertId") && fs.Has("evidence"),
		fs.Has("serviceSource") && fs.Has("detectionSource") && fs.Has("createdDateTime") && fs.Has("title"):
		return "alert"
	case fs.Has("incidentWebUrl") && fs.Has("displayName") && fs.Has("createdDateTime"):
		return "incident"
	}
	return ""
}

// msgraphFirst returns the first element of a JSON array, or nil.
func msgraphFirst(arr []byte) []byte {
	i := scanSpace(arr, 1)
	if i >= len(arr) || arr[i] == ']' {
		return nil
	}
	end := scanValueEnd(arr, i)
	if end <= i {
		return nil
	}
	return arr[i:end]
}

// msgraphElements calls fn with each element of the JSON array arr, which
// the caller has validated; it finds them with the byte scanner instead of
// decoding the array, since each element is decoded afterwards anyway.
func msgraphElements(arr []byte, fn func(i int, el []byte) error) error {
	if len(arr) == 0 || arr[0] != '[' {
		return errors.New("not a JSON array")
	}
	i := scanSpace(arr, 1)
	for n := 0; i < len(arr) && arr[i] != ']'; n++ {
		end := scanValueEnd(arr, i)
		if end <= i {
			return fmt.Errorf("bad array element at byte %d", i)
		}
		if err := fn(n, arr[i:end]); err != nil {
			return err
		}
		i = scanSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i = scanSpace(arr, i+1)
		}
	}
	return nil
}

type msgraphUser struct {
	AccountName       text `json:"accountName"`
	DomainName        text `json:"domainName"`
	UserPrincipalName text `json:"userPrincipalName"`
}

type msgraphFile struct {
	FileName text `json:"fileName"`
	FilePath text `json:"filePath"`
	SHA1     text `json:"sha1"`
	SHA256   text `json:"sha256"`
	MD5      text `json:"md5"`
}

type msgraphEmailAddress struct {
	EmailAddress text `json:"emailAddress"`
}

// msgraphEvidence is the union of the evidence types Winnow reads.
type msgraphEvidence struct {
	Type string `json:"@odata.type"`
	// deviceEvidence
	DeviceDNSName text          `json:"deviceDnsName"`
	MdeDeviceID   text          `json:"mdeDeviceId"`
	IPInterfaces  texts         `json:"ipInterfaces"`
	LoggedOnUsers []msgraphUser `json:"loggedOnUsers"`
	// userEvidence, processEvidence, mailboxEvidence
	UserAccount *msgraphUser `json:"userAccount"`
	// ipEvidence
	IPAddress text `json:"ipAddress"`
	// urlEvidence
	URL text `json:"url"`
	// fileEvidence
	FileDetails *msgraphFile `json:"fileDetails"`
	// processEvidence
	ProcessCommandLine     text         `json:"processCommandLine"`
	ProcessID              text         `json:"processId"`
	ImageFile              *msgraphFile `json:"imageFile"`
	ParentProcessImageFile *msgraphFile `json:"parentProcessImageFile"`
	// mailboxEvidence
	PrimaryAddress text `json:"primaryAddress"`
	// analyzedMessageEvidence
	SenderIP              text                `json:"senderIp"`
	RecipientEmailAddress text                `json:"recipientEmailAddress"`
	P1Sender              msgraphEmailAddress `json:"p1Sender"`
	P2Sender              msgraphEmailAddress `json:"p2Sender"`
	Subject               text                `json:"subject"`
	Urls                  texts               `json:"urls"`
	NetworkMessageID      text                `json:"networkMessageId"`
	DeliveryAction        text                `json:"deliveryAction"`
	// registryKeyEvidence
	RegistryKey  text `json:"registryKey"`
	RegistryHive text `json:"registryHive"`
	// cloudApplicationEvidence
	DisplayName text `json:"displayName"`
	// dns-like evidence
	DomainName text `json:"domainName"`
}

type msgraphAlert struct {
	ID                    text              `json:"id"`
	ProviderAlertID       text              `json:"providerAlertId"`
	IncidentID            text              `json:"incidentId"`
	Status                text              `json:"status"`
	Severity              text              `json:"severity"`
	Classification        text              `json:"classification"`
	Determination         text              `json:"determination"`
	ServiceSource         text              `json:"serviceSource"`
	DetectionSource       text              `json:"detectionSource"`
	DetectorID            text              `json:"detectorId"`
	Title                 text              `json:"title"`
	Description           text              `json:"description"`
	Category              text              `json:"category"`
	ThreatDisplayName     text              `json:"threatDisplayName"`
	MitreTechniques       texts             `json:"mitreTechniques"`
	CreatedDateTime       text              `json:"createdDateTime"`
	FirstActivityDateTime text              `json:"firstActivityDateTime"`
	SystemTags            texts             `json:"systemTags"`
	Evidence              []msgraphEvidence `json:"evidence"`
}

type msgraphIncident struct {
	ID              text              `json:"id"`
	DisplayName     text              `json:"displayName"`
	Description     text              `json:"description"`
	Severity        text              `json:"severity"`
	Status          text              `json:"status"`
	Classification  text              `json:"classification"`
	Determination   text              `json:"determination"`
	AssignedTo      text              `json:"assignedTo"`
	CreatedDateTime text              `json:"createdDateTime"`
	CustomTags      texts             `json:"customTags"`
	SystemTags      texts             `json:"systemTags"`
	Alerts          []json.RawMessage `json:"alerts"`
}

func (msgraph) Normalize(raw []byte) (alert.Alert, error) {
	return msgraphOne("msgraph", msgraph{}, raw)
}

// msgraphOne is Normalize for a Multi format: it succeeds only when the
// record holds exactly one alert.
func msgraphOne(name string, m Multi, raw []byte) (alert.Alert, error) {
	var out alert.Alert
	n := 0
	err := m.NormalizeAll(raw, func(a alert.Alert) error {
		n++
		if n > 1 {
			return fmt.Errorf("%s record holds several alerts: use NormalizeAll", name)
		}
		out = a
		return nil
	})
	if err != nil {
		return alert.Alert{}, err
	}
	if n == 0 {
		return alert.Alert{}, fmt.Errorf("%s record holds no alerts", name)
	}
	if bytes.Equal(out.Raw, raw) {
		out.Raw = nil // the registry sets it
	}
	return out, nil
}

func (msgraph) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("msgraph record is not valid JSON")
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
		return msgraphResource(raw, emit)
	}
	return msgraphElements(list, func(i int, el []byte) error {
		if err := msgraphResource(el, emit); err != nil {
			return fmt.Errorf("msgraph value[%d]: %w", i, err)
		}
		return nil
	})
}

// msgraphResource emits the alerts of one alert or incident object.
func msgraphResource(raw []byte, emit func(alert.Alert) error) error {
	var kind string
	if err := withFields(raw, func(fs Fields) error { kind = msgraphIs(fs); return nil }); err != nil {
		return err
	}
	switch kind {
	case "alert":
		var r msgraphAlert
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode msgraph alert: %w", err)
		}
		a, err := r.alert(raw)
		if err != nil {
			return err
		}
		return emit(a)
	case "incident":
		var in msgraphIncident
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("decode msgraph incident: %w", err)
		}
		if len(in.Alerts) == 0 {
			a, err := in.alert(raw)
			if err != nil {
				return err
			}
			return emit(a)
		}
		for i, el := range in.Alerts {
			var r msgraphAlert
			if err := json.Unmarshal(el, &r); err != nil {
				return fmt.Errorf("decode msgraph incident alert %d: %w", i, err)
			}
			a, err := r.alert(el)
			if err != nil {
				return fmt.Errorf("msgraph incident alert %d: %w", i, err)
			}
			if in.ID != "" {
				a.Rule.Tags = appendUnique(a.Rule.Tags, "incident:"+string(in.ID))
			}
			if err := emit(a); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("msgraph object is neither a security alert nor an incident")
}

// msgraphTime parses the first non-empty timestamp; none gives the zero
// time.
func msgraphTime(format string, vs ...text) (time.Time, error) {
	for _, v := range vs {
		if v == "" {
			continue
		}
		t, err := parseTime(string(v))
		if err != nil {
			return time.Time{}, fmt.Errorf("%s time: %w", format, err)
		}
		return t, nil
	}
	return time.Time{}, nil
}

func (r *msgraphAlert) alert(raw []byte) (alert.Alert, error) {
	if r.Title == "" {
		return alert.Alert{}, errors.New("msgraph alert without title")
	}
	t, err := msgraphTime("msgraph", r.FirstActivityDateTime, r.CreatedDateTime)
	if err != nil {
		return alert.Alert{}, err
	}
	a := alert.Alert{Time: t}
	a.Source = "msgraph"
	a.ID = firstOf(r.ID, r.ProviderAlertID)
	if a.ID == "" {
		a.ID = alert.ContentID("msgraph", raw)
	}
	a.Title = string(r.Title)
	a.Description = string(r.Description)
	a.SourceSeverity = string(r.Severity)
	a.Severity = sentinelSeverity(a.SourceSeverity)
	a.Rule = alert.Rule{ID: string(r.DetectorID), Name: a.Title, Category: string(r.Category), Tags: []string{"msgraph:alert"}}
	for _, kv := range [][2]text{
		{"incident", r.IncidentID}, {"service_source", r.ServiceSource}, {"detection_source", r.DetectionSource},
		{"status", r.Status}, {"classification", r.Classification}, {"determination", r.Determination},
		{"threat", r.ThreatDisplayName},
	} {
		if kv[1] != "" && kv[1] != "unknown" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	if r.ProviderAlertID != "" && r.ProviderAlertID != r.ID {
		a.Rule.Tags = append(a.Rule.Tags, "provider_alert:"+string(r.ProviderAlertID))
	}
	for _, t := range r.SystemTags {
		a.Rule.Tags = append(a.Rule.Tags, "system_tag:"+t)
	}
	for _, id := range r.MitreTechniques {
		if isTechniqueID(id) {
			a.Techniques = appendUnique(a.Techniques, id)
		}
	}
	for i := range r.Evidence {
		msgraphEvidenceTo(&a, &r.Evidence[i])
	}
	msgraphDropEmptyEmail(&a)
	return a, nil
}

func (in *msgraphIncident) alert(raw []byte) (alert.Alert, error) {
	if in.DisplayName == "" {
		return alert.Alert{}, errors.New("msgraph incident without displayName")
	}
	t, err := msgraphTime("msgraph", in.CreatedDateTime)
	if err != nil {
		return alert.Alert{}, err
	}
	a := alert.Alert{Time: t}
	a.Source = "msgraph"
	a.ID = string(in.ID)
	if a.ID == "" {
		a.ID = alert.ContentID("msgraph", raw)
	}
	a.Title = string(in.DisplayName)
	a.Description = string(in.Description)
	a.SourceSeverity = string(in.Severity)
	a.Severity = sentinelSeverity(a.SourceSeverity)
	a.Rule = alert.Rule{Name: a.Title, Tags: []string{"msgraph:incident"}}
	for _, kv := range [][2]text{
		{"status", in.Status}, {"classification", in.Classification}, {"determination", in.Determination}, {"owner", in.AssignedTo},
	} {
		if kv[1] != "" && !strings.EqualFold(string(kv[1]), "unknown") {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	for _, t := range in.CustomTags {
		a.Rule.Tags = append(a.Rule.Tags, "custom_tag:"+t)
	}
	for _, t := range in.SystemTags {
		a.Rule.Tags = append(a.Rule.Tags, "system_tag:"+t)
	}
	return a, nil
}

func msgraphAddUser(en *alert.Entities, u *msgraphUser) {
	if u == nil {
		return
	}
	name := firstOf(u.AccountName, u.UserPrincipalName)
	if name == "" {
		return
	}
	for _, x := range en.Users {
		if x.Name == name {
			return
		}
	}
	en.Users = append(en.Users, alert.User{Name: name, Domain: string(u.DomainName)})
}

func msgraphAddFile(en *alert.Entities, f *msgraphFile) {
	if f == nil || f.FileName == "" && f.SHA1 == "" && f.SHA256 == "" && f.MD5 == "" {
		return
	}
	file := alert.File{
		Name: string(f.FileName), Path: msgraphPath(f),
		MD5: strings.ToLower(string(f.MD5)), SHA1: strings.ToLower(string(f.SHA1)), SHA256: strings.ToLower(string(f.SHA256)),
	}
	for _, x := range en.Files {
		if x == file {
			return
		}
	}
	en.Files = append(en.Files, file)
}

// msgraphPath joins fileDetails' directory and name.
func msgraphPath(f *msgraphFile) string {
	if f.FilePath == "" {
		return ""
	}
	sep := `\`
	if strings.HasPrefix(string(f.FilePath), "/") {
		sep = "/"
	}
	return strings.TrimSuffix(string(f.FilePath), sep) + sep + string(f.FileName)
}

func msgraphAddSrc(en *alert.Entities, addr string) {
	ep, ok := endpoint(addr, "")
	if !ok {
		return
	}
	for _, x := range en.Src {
		if x == ep {
			return
		}
	}
	en.Src = append(en.Src, ep)
}

func msgraphEvidenceTo(a *alert.Alert, ev *msgraphEvidence) {
	en := &a.Entities
	kind := ev.Type[strings.LastIndexByte(ev.Type, '.')+1:]
	switch kind {
	case "deviceEvidence":
		h := alert.Host{Name: string(ev.DeviceDNSName), ID: string(ev.MdeDeviceID)}
		if len(ev.IPInterfaces) > 0 {
			h.IP = ev.IPInterfaces[0]
		}
		if h != (alert.Host{}) {
			en.Hosts = sentinelAddHost(en.Hosts, h)
		}
		for i := range ev.LoggedOnUsers {
			msgraphAddUser(en, &ev.LoggedOnUsers[i])
		}
	case "userEvidence", "mailboxEvidence":
		msgraphAddUser(en, ev.UserAccount)
		en.Users = appendUser(en.Users, string(ev.PrimaryAddress))
	case "ipEvidence":
		msgraphAddSrc(en, string(ev.IPAddress))
	case "urlEvidence":
		en.URLs = appendUnique(en.URLs, string(ev.URL))
	case "fileEvidence":
		msgraphAddFile(en, ev.FileDetails)
	case "processEvidence":
		p := alert.Process{CommandLine: string(ev.ProcessCommandLine), PID: atoi(string(ev.ProcessID))}
		if f := ev.ImageFile; f != nil {
			p.Name, p.Path = string(f.FileName), msgraphPath(f)
			msgraphAddFile(en, f)
		}
		if f := ev.ParentProcessImageFile; f != nil {
			p.Parent = string(f.FileName)
		}
		if p != (alert.Process{}) {
			en.Processes = append(en.Processes, p)
		}
		msgraphAddUser(en, ev.UserAccount)
	case "analyzedMessageEvidence":
		if en.Email == nil {
			en.Email = &alert.Email{}
		}
		if en.Email.From == "" {
			en.Email.From = firstOf(ev.P2Sender.EmailAddress, ev.P1Sender.EmailAddress)
		}
		if en.Email.Subject == "" {
			en.Email.Subject = string(ev.Subject)
		}
		en.Email.To = appendUnique(en.Email.To, string(ev.RecipientEmailAddress))
		for _, u := range ev.Urls {
			en.URLs = appendUnique(en.URLs, u)
		}
		msgraphAddSrc(en, string(ev.SenderIP))
		if ev.NetworkMessageID != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "network_message_id:"+string(ev.NetworkMessageID))
		}
		if ev.DeliveryAction != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "delivery_action:"+string(ev.DeliveryAction))
		}
	case "registryKeyEvidence":
		if ev.RegistryKey != "" {
			a.Text = appendUnique(a.Text, strings.TrimPrefix(string(ev.RegistryHive)+`\`+string(ev.RegistryKey), `\`))
		}
	case "cloudApplicationEvidence":
		if ev.DisplayName != "" {
			a.Rule.Tags = appendUnique(a.Rule.Tags, "cloud_application:"+string(ev.DisplayName))
		}
	case "dnsEvidence":
		en.Domains = appendDomain(en.Domains, string(ev.DomainName))
	}
}

// msgraphDropEmptyEmail removes an Email that message entities created but
// left empty (redacted or unknown senders).
func msgraphDropEmptyEmail(a *alert.Alert) {
	if m := a.Entities.Email; m != nil && m.From == "" && m.Subject == "" && len(m.To) == 0 {
		a.Entities.Email = nil
	}
}
