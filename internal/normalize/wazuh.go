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

// Wazuh alerts.json lines (3.x and 4.x) and wazuh-indexer search hits that
// wrap one in _source. Reference:
// https://documentation.wazuh.com/current/user-manual/ruleset/ruleset-xml-syntax/rules.html
func init() { Register(wazuh{}) }

type wazuh struct{}

type wazuhHit struct {
	ID     text         `json:"_id"`
	Source *wazuhRecord `json:"_source"`
}

type wazuhRecord struct {
	ID             text          `json:"id"`
	Timestamp      text          `json:"timestamp"`
	AtTimestamp    text          `json:"@timestamp"`
	Rule           wazuhRule     `json:"rule"`
	Agent          wazuhAgent    `json:"agent"`
	Data           wazuhData     `json:"data"`
	FullLog        text          `json:"full_log"`
	PreviousOutput text          `json:"previous_output"`
	Syscheck       wazuhSyscheck `json:"syscheck"`
}

type wazuhRule struct {
	ID          text       `json:"id"`
	Level       text       `json:"level"`
	Description text       `json:"description"`
	Groups      texts      `json:"groups"`
	Info        text       `json:"info"`
	Mitre       wazuhMitre `json:"mitre"`
}

type wazuhMitre struct {
	ID texts `json:"id"`
}

type wazuhAgent struct {
	ID   text `json:"id"`
	Name text `json:"name"`
	IP   text `json:"ip"`
}

type wazuhSyscheck struct {
	Path        text `json:"path"`
	MD5After    text `json:"md5_after"`
	SHA1After   text `json:"sha1_after"`
	SHA256After text `json:"sha256_after"`
}

// wazuhData is the decoder output. Wazuh sends its values as strings; the
// EVE fields appear when Wazuh's JSON decoder read a Suricata eve.json line.
type wazuhData struct {
	SrcIP    text          `json:"srcip"`
	SrcPort  text          `json:"srcport"`
	DstIP    text          `json:"dstip"`
	DstPort  text          `json:"dstport"`
	SrcUser  text          `json:"srcuser"`
	DstUser  text          `json:"dstuser"`
	URL      text          `json:"url"`
	EveSrcIP text          `json:"src_ip"`
	EveSport text          `json:"src_port"`
	EveDstIP text          `json:"dest_ip"`
	EveDport text          `json:"dest_port"`
	Alert    wazuhEVEAlert `json:"alert"`
	HTTP     wazuhEVEHTTP  `json:"http"`
}

type wazuhEVEAlert struct {
	Category text `json:"category"`
}

type wazuhEVEHTTP struct {
	Hostname text `json:"hostname"`
	URL      text `json:"url"`
}

func (wazuh) Name() string { return "wazuh" }

func (wazuh) Detect(fs Fields, raw []byte) bool {
	if src := fs.Value("_source"); src != nil && fs.Has("_index") {
		ok := false
		_ = withFields(src, func(inner Fields) error {
			ok = isWazuh(inner)
			return nil
		})
		return ok
	}
	return isWazuh(fs)
}

// isWazuh: every Wazuh alert has a rule with a level, an agent and a
// timestamp; no other supported format has that combination.
func isWazuh(fs Fields) bool {
	return fs.Has("agent") && (fs.Has("timestamp") || fs.Has("@timestamp")) &&
		bytes.Contains(fs.Value("rule"), []byte(`"level"`))
}

// Normalize validates the record once and reads only the members it needs
// with the member scanner (wazuhDecode) rather than encoding/json, with the
// same result, which FuzzWazuhDecode checks.
func (wazuh) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("decode wazuh alert: record is not valid JSON")
	}
	hitID, r, err := wazuhDecode(raw)
	if err != nil {
		return alert.Alert{}, err
	}
	return r.alert(string(hitID), raw)
}

func (r *wazuhRecord) alert(hitID string, raw []byte) (alert.Alert, error) {
	if r.Rule.ID == "" || r.Rule.Level == "" {
		return alert.Alert{}, errors.New("wazuh alert without rule.id and rule.level")
	}
	level, err := strconv.Atoi(string(r.Rule.Level))
	if err != nil {
		return alert.Alert{}, fmt.Errorf("wazuh rule.level %q: %w", r.Rule.Level, err)
	}
	ts := r.Timestamp
	if ts == "" {
		ts = r.AtTimestamp
	}
	var t time.Time
	if ts != "" {
		if t, err = parseTime(string(ts)); err != nil {
			return alert.Alert{}, fmt.Errorf("wazuh timestamp: %w", err)
		}
	}
	a := alert.Alert{
		Source:         "wazuh",
		ID:             string(r.ID),
		Time:           t,
		Title:          string(r.Rule.Description),
		Description:    string(r.Rule.Info),
		Severity:       wazuhSeverity(level),
		SourceSeverity: string(r.Rule.Level),
		Rule: alert.Rule{
			ID:   string(r.Rule.ID),
			Name: string(r.Rule.Description),
			Tags: []string(r.Rule.Groups),
		},
		Techniques: appendUnique(nil, r.Rule.Mitre.ID...),
		Raw:        raw,
	}
	if a.Title == "" {
		a.Title = "Wazuh rule " + a.Rule.ID
	}
	if a.ID == "" {
		a.ID = hitID
	}
	if a.ID == "" {
		a.ID = alert.ContentID("wazuh", raw)
	}
	if r.Agent.Name != "" || r.Agent.IP != "" || r.Agent.ID != "" {
		a.Entities.Hosts = []alert.Host{{Name: string(r.Agent.Name), IP: string(r.Agent.IP), ID: string(r.Agent.ID)}}
	}
	d := &r.Data
	src, sport, dst, dport := d.SrcIP, d.SrcPort, d.DstIP, d.DstPort
	if isWazuhEVE(string(r.Rule.ID)) && d.EveSrcIP != "" {
		// Rules 86600-86699 decode Suricata EVE: its own field names.
		src, sport, dst, dport = d.EveSrcIP, d.EveSport, d.EveDstIP, d.EveDport
		a.Rule.Category = string(d.Alert.Category)
		a.Entities.Domains = appendDomain(nil, string(d.HTTP.Hostname))
		if u := httpURL(string(d.HTTP.Hostname), string(d.HTTP.URL)); u != "" {
			a.Entities.URLs = []string{u}
		}
	}
	if e, ok := endpoint(string(src), string(sport)); ok {
		a.Entities.Src = []alert.Endpoint{e}
	}
	if e, ok := endpoint(string(dst), string(dport)); ok {
		a.Entities.Dst = []alert.Endpoint{e}
	}
	// Some decoders quote user names in angle brackets ("<violet>").
	for _, u := range []text{d.SrcUser, d.DstUser} {
		a.Entities.Users = appendUser(a.Entities.Users, strings.TrimSuffix(strings.TrimPrefix(string(u), "<"), ">"))
	}
	if sc := &r.Syscheck; sc.Path != "" {
		a.Entities.Files = []alert.File{{
			Path: string(sc.Path), MD5: string(sc.MD5After), SHA1: string(sc.SHA1After), SHA256: string(sc.SHA256After),
		}}
	}
	if u := string(d.URL); strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
		a.Entities.URLs = appendUnique(a.Entities.URLs, u)
	} else if u != "" {
		a.Text = append(a.Text, u)
	}
	a.Text = appendUnique(a.Text, string(r.FullLog), string(r.PreviousOutput))
	return a, nil
}

func isWazuhEVE(ruleID string) bool {
	n, err := strconv.Atoi(ruleID)
	return err == nil && n >= 86600 && n <= 86699
}

// wazuhSeverity maps a Wazuh rule level (0-15) onto Winnow's scale.
func wazuhSeverity(level int) alert.Severity {
	switch {
	case level <= 3:
		return alert.SeverityInfo
	case level <= 6:
		return alert.SeverityLow
	case level <= 9:
		return alert.SeverityMedium
	case level <= 12:
		return alert.SeverityHigh
	}
	return alert.SeverityCritical
}
