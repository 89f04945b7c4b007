package normalize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Proofpoint TAP SIEM API events: messagesDelivered / messagesBlocked and
// clicksPermitted / clicksBlocked, as single events or as the API's
// envelope {"queryEndTime", "messagesDelivered":[...], ...}, which is a
// Multi record (an envelope with empty lists yields no alert). Reference:
// https://help.proofpoint.com/Threat_Insight_Dashboard/API_Documentation/SIEM_API
func init() { Register(proofpoint{}) }

type proofpoint struct{}

// proofpointLists are the envelope members, in the order they are emitted.
var proofpointLists = [...]string{"messagesDelivered", "messagesBlocked", "clicksPermitted", "clicksBlocked"}

// proofpointEvent holds the members of both message and click events.
type proofpointEvent struct {
	GUID             text               `json:"GUID"`
	ID               text               `json:"id"`
	QID              text               `json:"QID"`
	MessageID        text               `json:"messageID"`
	MessageTime      text               `json:"messageTime"`
	Sender           text               `json:"sender"`
	FromAddress      texts              `json:"fromAddress"`
	HeaderFrom       text               `json:"headerFrom"`
	Recipient        texts              `json:"recipient"`
	ToAddresses      texts              `json:"toAddresses"`
	CCAddresses      texts              `json:"ccAddresses"`
	Subject          text               `json:"subject"`
	SenderIP         text               `json:"senderIP"`
	ThreatsInfoMap   []proofpointThreat `json:"threatsInfoMap"`
	MessageParts     []proofpointPart   `json:"messageParts"`
	SpamScore        text               `json:"spamScore"`
	PhishScore       text               `json:"phishScore"`
	MalwareScore     text               `json:"malwareScore"`
	ImpostorScore    text               `json:"impostorScore"`
	PolicyRoutes     texts              `json:"policyRoutes"`
	QuarantineFolder text               `json:"quarantineFolder"`
	// Click members.
	CampaignID     text `json:"campaignId"`
	Classification text `json:"classification"`
	ClickIP        text `json:"clickIP"`
	ClickTime      text `json:"clickTime"`
	ThreatID       text `json:"threatID"`
	ThreatStatus   text `json:"threatStatus"`
	URL            text `json:"url"`
	UserAgent      text `json:"userAgent"`
	// Envelope members: queryEndTime or any list makes the record an
	// envelope; lists holds the four lists in proofpointLists order.
	envelope bool
	lists    [len(proofpointLists)][]byte
}

type proofpointThreat struct {
	ThreatID       text `json:"threatID"`
	ThreatStatus   text `json:"threatStatus"`
	Classification text `json:"classification"`
	ThreatType     text `json:"threatType"`
	Threat         text `json:"threat"`
}

type proofpointPart struct {
	MD5         text `json:"md5"`
	SHA256      text `json:"sha256"`
	Filename    text `json:"filename"`
	Disposition text `json:"disposition"`
}

// set stores one event member; members Winnow does not read are skipped.
func (e *proofpointEvent) set(key, v []byte) error {
	var t *text
	var ts *texts
	switch string(key) {
	case "GUID":
		t = &e.GUID
	case "id":
		t = &e.ID
	case "QID":
		t = &e.QID
	case "messageID":
		t = &e.MessageID
	case "messageTime":
		t = &e.MessageTime
	case "sender":
		t = &e.Sender
	case "fromAddress":
		ts = &e.FromAddress
	case "headerFrom":
		t = &e.HeaderFrom
	case "recipient":
		ts = &e.Recipient
	case "toAddresses":
		ts = &e.ToAddresses
	case "ccAddresses":
		ts = &e.CCAddresses
	case "subject":
		t = &e.Subject
	case "senderIP":
		t = &e.SenderIP
	case "spamScore":
		t = &e.SpamScore
	case "phishScore":
		t = &e.PhishScore
	case "malwareScore":
		t = &e.MalwareScore
	case "impostorScore":
		t = &e.ImpostorScore
	case "policyRoutes":
		ts = &e.PolicyRoutes
	case "quarantineFolder":
		t = &e.QuarantineFolder
	case "campaignId":
		t = &e.CampaignID
	case "classification":
		t = &e.Classification
	case "clickIP":
		t = &e.ClickIP
	case "clickTime":
		t = &e.ClickTime
	case "threatID":
		t = &e.ThreatID
	case "threatStatus":
		t = &e.ThreatStatus
	case "url":
		t = &e.URL
	case "userAgent":
		t = &e.UserAgent
	case "queryEndTime":
		e.envelope = true
		return nil
	case proofpointLists[0], proofpointLists[1], proofpointLists[2], proofpointLists[3]:
		e.envelope = true
		for i, l := range proofpointLists {
			if string(key) == l {
				e.lists[i] = v
			}
		}
		return nil
	case "threatsInfoMap":
		if v[0] == '[' {
			e.ThreatsInfoMap = []proofpointThreat{}
		}
		return scanElements(v, func(el []byte) error {
			var th proofpointThreat
			err := scanMembers(el, func(k, v []byte) error {
				switch string(k) {
				case "threatID":
					return th.ThreatID.UnmarshalJSON(v)
				case "threatStatus":
					return th.ThreatStatus.UnmarshalJSON(v)
				case "classification":
					return th.Classification.UnmarshalJSON(v)
				case "threatType":
					return th.ThreatType.UnmarshalJSON(v)
				case "threat":
					return th.Threat.UnmarshalJSON(v)
				}
				return nil
			})
			e.ThreatsInfoMap = append(e.ThreatsInfoMap, th)
			return err
		})
	case "messageParts":
		return scanElements(v, func(el []byte) error {
			var p proofpointPart
			err := scanMembers(el, func(k, v []byte) error {
				switch string(k) {
				case "md5":
					return p.MD5.UnmarshalJSON(v)
				case "sha256":
					return p.SHA256.UnmarshalJSON(v)
				case "filename":
					return p.Filename.UnmarshalJSON(v)
				case "disposition":
					return p.Disposition.UnmarshalJSON(v)
				}
				return nil
			})
			e.MessageParts = append(e.MessageParts, p)
			return err
		})
	default:
		return nil
	}
	if ts != nil {
		return scanTexts(v, ts)
	}
	return t.UnmarshalJSON(v)
}

func (proofpoint) Name() string { return "proofpoint" }

// Detect claims click events (clickTime and clickIP), message events
// (threatsInfoMap and messageTime) and SIEM API envelopes (queryEndTime
// with one of the four event lists).
func (proofpoint) Detect(fs Fields, _ []byte) bool {
	switch {
	case fs.Has("clickTime") && fs.Has("clickIP"):
		return true
	case fs.Has("threatsInfoMap") && fs.Has("messageTime"):
		return true
	case fs.Has("queryEndTime"):
		for _, l := range proofpointLists {
			if fs.Has(l) {
				return true
			}
		}
	}
	return false
}

func (p proofpoint) Normalize(raw []byte) (alert.Alert, error) {
	var out []alert.Alert
	if err := p.NormalizeAll(raw, func(a alert.Alert) error { out = append(out, a); return nil }); err != nil {
		return alert.Alert{}, err
	}
	if len(out) != 1 {
		return alert.Alert{}, fmt.Errorf("proofpoint envelope holds %d events, not one: use NormalizeAll", len(out))
	}
	return out[0], nil
}

// NormalizeAll emits one alert per event: a single event, or every event
// of an envelope in the order messagesDelivered, messagesBlocked,
// clicksPermitted, clicksBlocked. Like crowdstrike it reads members from
// the scanned, validated record rather than decoding it with
// encoding/json.
func (proofpoint) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("proofpoint event is not valid JSON")
	}
	// One scan reads the event's members and notes an envelope's lists.
	e, err := proofpointDecode(raw)
	if err != nil {
		return err
	}
	if !e.envelope {
		a, err := e.alert(raw, "")
		if err != nil {
			return err
		}
		return emit(a)
	}
	for i, list := range e.lists {
		j := 0
		err := scanElements(list, func(el []byte) error {
			ev, err := proofpointDecode(el)
			a := alert.Alert{}
			if err == nil {
				a, err = ev.alert(el, proofpointLists[i])
			}
			if err != nil {
				return fmt.Errorf("proofpoint %s[%d]: %w", proofpointLists[i], j, err)
			}
			j++
			a.Raw = el
			return emit(a)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func proofpointDecode(raw []byte) (*proofpointEvent, error) {
	e := new(proofpointEvent)
	if err := scanMembers(raw, e.set); err != nil {
		return nil, fmt.Errorf("decode proofpoint event: %w", err)
	}
	return e, nil
}

// alert converts one decoded event; kind is its envelope list, or "" for
// a bare event, whose kind is inferred from its members.
func (e *proofpointEvent) alert(raw []byte, kind string) (alert.Alert, error) {
	click := e.ClickTime != "" || e.ClickIP != ""
	switch {
	case kind == "" && click:
		kind = "click"
	case kind == "" && (e.MessageTime != "" || e.ThreatsInfoMap != nil):
		kind = "message"
	case kind == "":
		return alert.Alert{}, errors.New("proofpoint event is neither a click (clickTime) nor a message (messageTime)")
	}
	click = strings.HasPrefix(kind, "click")
	ts := e.MessageTime
	if click {
		ts = e.ClickTime
	}
	if ts == "" {
		return alert.Alert{}, fmt.Errorf("proofpoint %s event without its time", kind)
	}
	t, err := parseTime(string(ts))
	if err != nil {
		return alert.Alert{}, fmt.Errorf("proofpoint event time: %w", err)
	}
	a := alert.Alert{Source: "proofpoint", Time: t, Rule: alert.Rule{Tags: []string{"proofpoint:" + kind}}}
	if click {
		proofpointClick(&a, e, kind)
	} else {
		proofpointMessage(&a, e, kind)
	}
	if a.ID == "" {
		a.ID = alert.ContentID("proofpoint", raw)
	}
	if e.SenderIP != "" {
		if ep, ok := endpoint(string(e.SenderIP), ""); ok {
			a.Entities.Src = []alert.Endpoint{ep}
		}
	}
	return a, nil
}

func proofpointClick(a *alert.Alert, e *proofpointEvent, kind string) {
	class := strings.ToLower(string(e.Classification))
	a.ID = crowdstrikeFirst(e.ID, e.GUID)
	a.Title = strings.Join(strings.Fields(fmt.Sprintf("Proofpoint TAP: click on %s URL %s", class, proofpointOutcome(kind))), " ")
	a.Description = fmt.Sprintf("%s clicked %s", string(proofpointFirst(e.Recipient)), string(e.URL))
	a.Severity = proofpointSeverity(class, string(e.ThreatStatus), kind, 0)
	a.SourceSeverity = proofpointSourceSeverity(string(e.Classification), string(e.ThreatStatus))
	a.Rule.ID = string(e.ThreatID)
	a.Rule.Name = "Proofpoint TAP " + class + " threat"
	a.Rule.Category = class
	if e.CampaignID != "" {
		a.Rule.Tags = append(a.Rule.Tags, "campaign:"+string(e.CampaignID))
	}
	if e.ThreatStatus != "" {
		a.Rule.Tags = append(a.Rule.Tags, "threat_status:"+string(e.ThreatStatus))
	}
	if e.ClickIP != "" && isIP(string(e.ClickIP)) {
		a.Entities.Hosts = []alert.Host{{IP: string(e.ClickIP)}}
	}
	for _, r := range e.Recipient {
		a.Entities.Users = appendUser(a.Entities.Users, r)
	}
	a.Entities.Email = &alert.Email{From: string(e.Sender), To: appendUnique(nil, e.Recipient...)}
	a.Entities.URLs = appendUnique(nil, string(e.URL))
	a.Text = appendUnique(nil, string(e.UserAgent))
}

func proofpointMessage(a *alert.Alert, e *proofpointEvent, kind string) {
	a.ID = crowdstrikeFirst(e.GUID, e.ID)
	maxScore := 0
	for _, s := range []text{e.PhishScore, e.MalwareScore, e.ImpostorScore} {
		maxScore = max(maxScore, atoi(string(s)))
	}
	// The worst threat decides severity and names the rule.
	worst, sev := -1, alert.Severity("")
	for i, th := range e.ThreatsInfoMap {
		s := proofpointSeverity(strings.ToLower(string(th.Classification)), string(th.ThreatStatus), kind, maxScore)
		if s.Rank() > sev.Rank() {
			worst, sev = i, s
		}
	}
	class := ""
	if worst >= 0 {
		th := e.ThreatsInfoMap[worst]
		class = strings.ToLower(string(th.Classification))
		a.SourceSeverity = proofpointSourceSeverity(string(th.Classification), string(th.ThreatStatus))
		a.Rule.ID = string(th.ThreatID)
		a.Rule.Name = "Proofpoint TAP " + class + " threat"
		a.Rule.Category = class
	} else {
		sev = proofpointSeverity("", "", kind, maxScore)
		a.SourceSeverity = fmt.Sprintf("phishScore=%s malwareScore=%s impostorScore=%s spamScore=%s",
			proofpointScore(e.PhishScore), proofpointScore(e.MalwareScore), proofpointScore(e.ImpostorScore), proofpointScore(e.SpamScore))
		a.Rule.Name = "Proofpoint TAP message"
	}
	a.Severity = sev
	a.Title = strings.Join(strings.Fields(fmt.Sprintf("Proofpoint TAP: %s message %s", class, proofpointOutcome(kind))), " ")
	if e.Subject != "" {
		a.Description = "Subject: " + string(e.Subject)
	}
	for _, th := range e.ThreatsInfoMap {
		a.Rule.Tags = appendUnique(a.Rule.Tags, "threat_type:"+strings.ToLower(string(th.ThreatType)))
		switch strings.ToLower(string(th.ThreatType)) {
		case "url":
			a.Entities.URLs = appendUnique(a.Entities.URLs, string(th.Threat))
		case "attachment":
			if f := (alert.File{}); th.Threat != "" {
				hashFile(&f, string(th.Threat))
				if f != (alert.File{}) {
					a.Entities.Files = append(a.Entities.Files, f)
				}
			}
		default:
			a.Text = appendUnique(a.Text, string(th.Threat))
		}
	}
	for _, r := range e.PolicyRoutes {
		a.Rule.Tags = appendUnique(a.Rule.Tags, "policy_route:"+r)
	}
	if e.QuarantineFolder != "" {
		a.Rule.Tags = append(a.Rule.Tags, "quarantine:"+string(e.QuarantineFolder))
	}
	for _, p := range e.MessageParts {
		// Body parts (inline text and HTML) are not files worth checking.
		if !strings.EqualFold(string(p.Disposition), "attached") {
			continue
		}
		a.Entities.Files = append(a.Entities.Files, alert.File{Name: string(p.Filename), MD5: string(p.MD5), SHA256: string(p.SHA256)})
	}
	from := crowdstrikeFirst(text(proofpointFirst(e.FromAddress)), e.HeaderFrom, e.Sender)
	to := appendUnique(nil, e.ToAddresses...)
	to = appendUnique(to, e.Recipient...)
	to = appendUnique(to, e.CCAddresses...)
	if from != "" || len(to) > 0 || e.Subject != "" {
		a.Entities.Email = &alert.Email{From: from, To: to, Subject: string(e.Subject)}
	}
	for _, r := range e.Recipient {
		a.Entities.Users = appendUser(a.Entities.Users, r)
	}
	if e.MessageID != "" {
		a.Text = appendUnique(a.Text, "Message-ID: "+string(e.MessageID))
	}
}

func proofpointFirst(ts texts) string {
	if len(ts) == 0 {
		return ""
	}
	return ts[0]
}

// proofpointOutcome names what Proofpoint did, known only from the
// envelope list an event came in.
func proofpointOutcome(kind string) string {
	switch kind {
	case "messagesDelivered":
		return "delivered"
	case "clicksPermitted":
		return "permitted"
	case "messagesBlocked", "clicksBlocked":
		return "blocked"
	}
	return ""
}

func proofpointScore(s text) string {
	if s == "" {
		return "0"
	}
	return string(s)
}

func proofpointSourceSeverity(class, status string) string {
	if status == "" {
		return class
	}
	return class + "/" + status
}

// proofpointSeverity maps one threat. A threat whose threatStatus is
// cleared or falsePositive is info. Otherwise by classification: malware
// and phish are critical in a permitted click, high in a delivered message
// or a bare click or message (outside an envelope, whose list alone says
// what Proofpoint did), medium when blocked; impostor is high, medium when
// blocked; spam is low; any other class is medium. With no threat, the
// highest of phishScore, malwareScore and impostorScore decides: 90+
// medium, 50+ low, else info. A score of 90+ raises a delivered message's
// threat to at least high.
func proofpointSeverity(class, status, kind string, score int) alert.Severity {
	switch strings.ToLower(status) {
	case "cleared", "falsepositive":
		return alert.SeverityInfo
	}
	blocked := strings.HasSuffix(kind, "Blocked")
	var s alert.Severity
	switch class {
	case "malware", "phish":
		switch {
		case blocked:
			s = alert.SeverityMedium
		case kind == "clicksPermitted":
			s = alert.SeverityCritical
		default:
			s = alert.SeverityHigh
		}
	case "impostor":
		s = alert.SeverityHigh
		if blocked {
			s = alert.SeverityMedium
		}
	case "spam":
		s = alert.SeverityLow
	case "":
		switch {
		case score >= 90:
			s = alert.SeverityMedium
		case score >= 50:
			s = alert.SeverityLow
		default:
			s = alert.SeverityInfo
		}
	default:
		s = alert.SeverityMedium
	}
	if class != "" && score >= 90 && !blocked && !strings.HasPrefix(kind, "click") && s.Rank() < alert.SeverityHigh.Rank() {
		s = alert.SeverityHigh
	}
	return s
}
