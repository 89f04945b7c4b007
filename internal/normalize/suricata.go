package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Suricata EVE JSON records with event_type "alert". Reference:
// https://docs.suricata.io/en/latest/output/eve/eve-json-format.html
func init() { Register(suricata{}) }

type suricata struct{}

// eve holds the EVE fields Winnow reads; packet and payload (base64) are
// deliberately absent: they are not text to mine.
type eve struct {
	Timestamp text `json:"timestamp"`
	EventType text `json:"event_type"`
	SrcIP     text `json:"src_ip"`
	SrcPort   text `json:"src_port"`
	DestIP    text `json:"dest_ip"`
	DestPort  text `json:"dest_port"`
	Alert     *struct {
		SignatureID text             `json:"signature_id"`
		Signature   text             `json:"signature"`
		Category    text             `json:"category"`
		Severity    text             `json:"severity"`
		GID         text             `json:"gid"`
		Rev         text             `json:"rev"`
		Metadata    map[string]texts `json:"metadata"`
	} `json:"alert"`
	HTTP struct {
		Hostname  text `json:"hostname"`
		URL       text `json:"url"`
		UserAgent text `json:"http_user_agent"`
		Refer     text `json:"http_refer"`
		Redirect  text `json:"redirect"`
	} `json:"http"`
	TLS struct {
		SNI     text `json:"sni"`
		Subject text `json:"subject"`
	} `json:"tls"`
	DNS struct {
		RRName text `json:"rrname"`
		Query  []struct {
			RRName text `json:"rrname"`
		} `json:"query"`
	} `json:"dns"`
	SMB struct {
		Filename text `json:"filename"`
	} `json:"smb"`
	Fileinfo struct {
		Filename text `json:"filename"`
		MD5      text `json:"md5"`
		SHA1     text `json:"sha1"`
		SHA256   text `json:"sha256"`
	} `json:"fileinfo"`
}

func (suricata) Name() string { return "suricata" }

func (suricata) Detect(fs Fields, _ []byte) bool {
	return fs.StringIs("event_type", "alert") && fs.Has("alert")
}

func (suricata) Normalize(raw []byte) (alert.Alert, error) {
	var e eve
	if err := json.Unmarshal(raw, &e); err != nil {
		return alert.Alert{}, fmt.Errorf("decode eve: %w", err)
	}
	if e.EventType != "alert" || e.Alert == nil {
		return alert.Alert{}, fmt.Errorf("eve event_type %q is not an alert", e.EventType)
	}
	if e.Alert.Signature == "" && e.Alert.SignatureID == "" {
		return alert.Alert{}, errors.New("eve alert without signature")
	}
	var t time.Time
	if e.Timestamp != "" {
		var err error
		if t, err = parseTime(string(e.Timestamp)); err != nil {
			return alert.Alert{}, fmt.Errorf("eve timestamp: %w", err)
		}
	}
	al := e.Alert
	a := alert.Alert{
		Source:         "suricata",
		ID:             alert.ContentID("suricata", raw),
		Time:           t,
		Title:          string(al.Signature),
		Severity:       suricataSeverity(string(al.Severity)),
		SourceSeverity: string(al.Severity),
		Rule: alert.Rule{
			ID:       string(al.SignatureID),
			Name:     string(al.Signature),
			Category: string(al.Category),
		},
		Raw: raw,
	}
	if al.GID != "" && al.Rev != "" {
		a.Rule.ID = string(al.GID) + ":" + string(al.SignatureID) + ":" + string(al.Rev)
	}
	if a.Title == "" {
		a.Title = "Suricata signature " + a.Rule.ID
	}
	// Metadata keys are sorted so that tags are deterministic.
	keys := make([]string, 0, len(al.Metadata))
	for k := range al.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range al.Metadata[k] {
			a.Rule.Tags = append(a.Rule.Tags, k+":"+v)
			if k == "mitre_technique_id" && isTechniqueID(v) {
				a.Techniques = appendUnique(a.Techniques, v)
			}
		}
	}
	host := string(e.HTTP.Hostname)
	if host == "" {
		host = string(e.TLS.SNI)
	}
	host = strings.TrimSuffix(host, ".")
	if ep, ok := endpoint(string(e.SrcIP), string(e.SrcPort)); ok {
		a.Entities.Src = []alert.Endpoint{ep}
	}
	if ep, ok := endpoint(string(e.DestIP), string(e.DestPort)); ok {
		if host != "" && !isIP(host) {
			ep.Hostname = host
		}
		a.Entities.Dst = []alert.Endpoint{ep}
	}
	d := &a.Entities.Domains
	*d = appendDomain(*d, string(e.HTTP.Hostname))
	*d = appendDomain(*d, string(e.TLS.SNI))
	*d = appendDomain(*d, string(e.DNS.RRName))
	for _, q := range e.DNS.Query {
		*d = appendDomain(*d, string(q.RRName))
	}
	if u := httpURL(string(e.HTTP.Hostname), string(e.HTTP.URL)); u != "" {
		a.Entities.URLs = []string{u}
	} else if e.HTTP.URL != "" {
		a.Text = append(a.Text, string(e.HTTP.URL))
	}
	a.Text = appendUnique(a.Text, string(e.HTTP.UserAgent), string(e.HTTP.Refer), string(e.HTTP.Redirect), string(e.TLS.Subject))
	if fi := &e.Fileinfo; fi.Filename != "" || fi.MD5 != "" || fi.SHA1 != "" || fi.SHA256 != "" {
		a.Entities.Files = append(a.Entities.Files, alert.File{
			Name: string(fi.Filename), MD5: string(fi.MD5), SHA1: string(fi.SHA1), SHA256: string(fi.SHA256),
		})
	}
	if e.SMB.Filename != "" && e.SMB.Filename != e.Fileinfo.Filename {
		a.Entities.Files = append(a.Entities.Files, alert.File{Name: string(e.SMB.Filename)})
	}
	return a, nil
}

// httpURL joins an HTTP Host and request target into an absolute URL; it
// returns "" when there is no host to anchor a relative target.
func httpURL(host, target string) string {
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		return target
	case host == "" || target == "":
		return ""
	case !strings.HasPrefix(target, "/"):
		target = "/" + target
	}
	return "http://" + host + target
}

// suricataSeverity inverts Suricata's priority: 1 is the most severe.
func suricataSeverity(s string) alert.Severity {
	switch s {
	case "1":
		return alert.SeverityHigh
	case "2":
		return alert.SeverityMedium
	case "3":
		return alert.SeverityLow
	}
	return alert.SeverityInfo
}
