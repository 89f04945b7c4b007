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

// Elastic Security alerts: Kibana detection alerts as stored in
// .alerts-security.alerts-* (flat dotted kibana.alert.* keys beside ECS
// fields) and Elastic Endpoint (Defend) alerts (event.kind "alert"), bare,
// as a search hit ({"_index","_id","_source"}) or in es_archiver's
// {"type":"doc","value":{"index","id","source"}} wrapper. ECS fields may be
// nested objects or flat dotted keys, or any mix of the two. A _search
// response holding several hits is one alert per hit (Multi). References:
// https://www.elastic.co/guide/en/security/current/alert-schema.html and
// https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html
func init() { Register(elastic{}) }

type elastic struct{}

var _ Multi = elastic{}

// elasticSlot names one field Winnow reads from an Elastic document.
type elasticSlot int

const (
	elasticNone elasticSlot = iota
	elasticAlertUUID
	elasticOriginalTime
	elasticTimestamp
	elasticKibanaRuleName
	elasticKibanaRuleID
	elasticKibanaRuleUUID
	elasticKibanaRuleDesc
	elasticKibanaRuleCategory
	elasticKibanaRuleTags
	elasticKibanaRuleThreat
	elasticKibanaReason
	elasticKibanaSeverity
	elasticKibanaRiskScore
	elasticMessage
	elasticTags
	elasticEventID
	elasticEventSeverity
	elasticEventRiskScore
	elasticEventCode
	elasticRuleID
	elasticRuleName
	elasticRuleDesc
	elasticRuleCategory
	elasticRuleRuleset
	elasticHostName
	elasticHostHostname
	elasticHostIP
	elasticHostID
	elasticUserName
	elasticUserDomain
	elasticSourceIP
	elasticSourcePort
	elasticSourceDomain
	elasticDestIP
	elasticDestPort
	elasticDestDomain
	elasticProcName
	elasticProcExe
	elasticProcCmd
	elasticProcPID
	elasticProcParent
	elasticFileName
	elasticFilePath
	elasticFileMD5
	elasticFileSHA1
	elasticFileSHA256
	elasticURLFull
	elasticURLOriginal
	elasticDNSName
	elasticEmailFrom
	elasticEmailTo
	elasticEmailSubject
	elasticThreat
	elasticThreatTechnique
	elasticThreatSubtechnique
	elasticSlots // count
)

// elasticPaths maps each dotted ECS or Kibana path to its slot.
var elasticPaths = map[string]elasticSlot{
	"kibana.alert.uuid":                elasticAlertUUID,
	"kibana.alert.original_time":       elasticOriginalTime,
	"@timestamp":                       elasticTimestamp,
	"kibana.alert.rule.name":           elasticKibanaRuleName,
	"kibana.alert.rule.rule_id":        elasticKibanaRuleID,
	"kibana.alert.rule.uuid":           elasticKibanaRuleUUID,
	"kibana.alert.rule.description":    elasticKibanaRuleDesc,
	"kibana.alert.rule.category":       elasticKibanaRuleCategory,
	"kibana.alert.rule.tags":           elasticKibanaRuleTags,
	"kibana.alert.rule.threat":         elasticKibanaRuleThreat,
	"kibana.alert.reason":              elasticKibanaReason,
	"kibana.alert.severity":            elasticKibanaSeverity,
	"kibana.alert.risk_score":          elasticKibanaRiskScore,
	"message":                          elasticMessage,
	"tags":                             elasticTags,
	"event.id":                         elasticEventID,
	"event.severity":                   elasticEventSeverity,
	"event.risk_score":                 elasticEventRiskScore,
	"event.code":                       elasticEventCode,
	"rule.id":                          elasticRuleID,
	"rule.name":                        elasticRuleName,
	"rule.description":                 elasticRuleDesc,
	"rule.category":                    elasticRuleCategory,
	"rule.ruleset":                     elasticRuleRuleset,
	"host.name":                        elasticHostName,
	"host.hostname":                    elasticHostHostname,
	"host.ip":                          elasticHostIP,
	"host.id":                          elasticHostID,
	"user.name":                        elasticUserName,
	"user.domain":                      elasticUserDomain,
	"source.ip":                        elasticSourceIP,
	"source.port":                      elasticSourcePort,
	"source.domain":                    elasticSourceDomain,
	"destination.ip":                   elasticDestIP,
	"destination.port":                 elasticDestPort,
	"destination.domain":               elasticDestDomain,
	"process.name":                     elasticProcName,
	"process.executable":               elasticProcExe,
	"process.command_line":             elasticProcCmd,
	"process.pid":                      elasticProcPID,
	"process.parent.name":              elasticProcParent,
	"file.name":                        elasticFileName,
	"file.path":                        elasticFilePath,
	"file.hash.md5":                    elasticFileMD5,
	"file.hash.sha1":                   elasticFileSHA1,
	"file.hash.sha256":                 elasticFileSHA256,
	"url.full":                         elasticURLFull,
	"url.original":                     elasticURLOriginal,
	"dns.question.name":                elasticDNSName,
	"email.from.address":               elasticEmailFrom,
	"email.to.address":                 elasticEmailTo,
	"email.subject":                    elasticEmailSubject,
	"threat":                           elasticThreat,
	"threat.technique.id":              elasticThreatTechnique,
	"threat.technique.subtechnique.id": elasticThreatSubtechnique,
}

// elasticPrefixes holds every proper prefix of a path in elasticPaths, so
// the walk descends only into objects that can hold a wanted field.
var elasticPrefixes = func() map[string]bool {
	m := map[string]bool{}
	for p := range elasticPaths {
		for i := range len(p) {
			if p[i] == '.' {
				m[p[:i]] = true
			}
		}
	}
	return m
}()

// elasticDoc collects the slots of one document; multi-valued slots keep
// every value.
type elasticDoc struct {
	envID      string // _id of a search hit, value.id of an es_archiver doc
	one        [elasticSlots]text
	hostIPs    texts
	tags       texts
	emailTo    texts
	techniques []string
}

// elasticThreatEntry is one kibana.alert.rule.threat element (or an ECS
// threat object): the framework, tactic and techniques the rule names.
type elasticThreatEntry struct {
	Technique elasticTechniques `json:"technique"`
}

type elasticTechnique struct {
	ID           texts             `json:"id"`
	Subtechnique elasticTechniques `json:"subtechnique"`
}

// elasticTechniques accepts a list of techniques or a single object.
type elasticTechniques []elasticTechnique

func (ts *elasticTechniques) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '[':
		return json.Unmarshal(b, (*[]elasticTechnique)(ts))
	case '{':
		var one elasticTechnique
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*ts = elasticTechniques{one}
	case 'n':
		*ts = nil
	default:
		return fmt.Errorf("technique %.20s is neither an object nor a list", b)
	}
	return nil
}

func (d *elasticDoc) addTechniques(ts elasticTechniques) {
	for _, t := range ts {
		for _, id := range t.ID {
			if isTechniqueID(id) {
				d.techniques = appendUnique(d.techniques, id)
			}
		}
		d.addTechniques(t.Subtechnique)
	}
}

// set stores the value of one wanted path.
func (d *elasticDoc) set(slot elasticSlot, v []byte) error {
	switch slot {
	case elasticHostIP:
		return d.hostIPs.UnmarshalJSON(v)
	case elasticKibanaRuleTags, elasticTags:
		var ts texts
		if err := ts.UnmarshalJSON(v); err != nil {
			return err
		}
		d.tags = appendUnique(d.tags, ts...)
		return nil
	case elasticEmailTo:
		return d.emailTo.UnmarshalJSON(v)
	case elasticKibanaRuleThreat, elasticThreat:
		var entries []elasticThreatEntry
		if v[0] == '{' {
			entries = make([]elasticThreatEntry, 1)
			err := json.Unmarshal(v, &entries[0])
			if err == nil {
				d.addTechniques(entries[0].Technique)
			}
			return err
		}
		if err := json.Unmarshal(v, &entries); err != nil {
			return err
		}
		for _, e := range entries {
			d.addTechniques(e.Technique)
		}
		return nil
	case elasticThreatTechnique, elasticThreatSubtechnique:
		var ts texts
		if err := ts.UnmarshalJSON(v); err != nil {
			return err
		}
		for _, id := range ts {
			if isTechniqueID(id) {
				d.techniques = appendUnique(d.techniques, id)
			}
		}
		return nil
	}
	return d.one[slot].UnmarshalJSON(v)
}

func (elastic) Name() string { return "elastic" }

func (elastic) Detect(fs Fields, _ []byte) bool {
	if hits := elasticHits(fs); hits != nil {
		ok := false
		_ = genericElements(hits, func(i int, hit []byte) error {
			if i == 0 && len(hit) > 0 && hit[0] == '{' {
				_ = withFields(hit, func(h Fields) error {
					ok = elasticInner(h.Value("_source"))
					return nil
				})
			}
			return errElasticStop
		})
		return ok
	}
	if fs.StringIs("type", "doc") {
		ok := false
		_ = withFields(fs.Value("value"), func(inner Fields) error {
			ok = elasticInner(inner.Value("source"))
			return nil
		})
		return ok
	}
	if fs.Has("_index") && fs.Has("_source") {
		return elasticInner(fs.Value("_source"))
	}
	return elasticIsDoc(fs)
}

// errElasticStop ends an array walk early.
var errElasticStop = errors.New("stop")

// elasticHits returns the hits.hits array of a _search response, or nil.
func elasticHits(fs Fields) []byte {
	h := fs.Value("hits")
	if len(h) == 0 || h[0] != '{' || !fs.Has("_shards") {
		return nil
	}
	var arr []byte
	_ = withFields(h, func(inner Fields) error {
		if a := inner.Value("hits"); len(a) > 0 && a[0] == '[' {
			arr = a
		}
		return nil
	})
	return arr
}

// NormalizeAll reads a _search response ({"_shards",...,"hits":{"hits":[...]}})
// as one alert per hit, each with its hit as Raw; any other record is one
// alert.
func (e elastic) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	var hits []byte
	if err := withFields(raw, func(fs Fields) error { hits = elasticHits(fs); return nil }); err != nil || hits == nil {
		a, err := e.Normalize(raw)
		if err != nil {
			return err
		}
		return emit(a)
	}
	if !jsonscan.Valid(raw) {
		return errors.New("elastic search response is not valid JSON")
	}
	return genericElements(hits, func(i int, hit []byte) error {
		a, err := e.Normalize(hit)
		if err != nil {
			return fmt.Errorf("hit %d: %w", i, err)
		}
		a.Raw = hit
		return emit(a)
	})
}

func elasticInner(src []byte) bool {
	if len(src) == 0 || src[0] != '{' {
		return false
	}
	ok := false
	_ = withFields(src, func(fs Fields) error {
		ok = elasticIsDoc(fs)
		return nil
	})
	return ok
}

// elasticIsDoc: a Kibana alert has kibana.alert.* keys (flat, as Kibana
// writes them, or nested); an Endpoint alert is an ECS document with
// event.kind "alert" and an Endpoint object or agent.type "endpoint".
// Vendor-native records (CrowdStrike's "event" object) have no event.kind.
func elasticIsDoc(fs Fields) bool {
	if fs.Has("kibana.alert.uuid") || fs.Has("kibana.alert.rule.name") {
		return true
	}
	if k := fs.Value("kibana"); len(k) > 0 && k[0] == '{' && bytes.Contains(k, []byte(`"alert"`)) {
		return true
	}
	if !fs.Has("@timestamp") {
		return false
	}
	kind := fs.StringIs("event.kind", "alert")
	if !kind {
		if ev := fs.Value("event"); len(ev) > 0 && ev[0] == '{' {
			_ = withFields(ev, func(inner Fields) error {
				kind = inner.StringIs("kind", "alert")
				return nil
			})
		}
	}
	return kind && (fs.Has("Endpoint") || fs.Has("rule") || fs.Has("rule.name") || fs.Has("agent") || fs.Has("agent.type"))
}

func (elastic) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("elastic alert is not valid JSON")
	}
	i := scanSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return alert.Alert{}, errors.New("elastic alert is not a JSON object")
	}
	var d elasticDoc
	var buf [128]byte
	if _, err := d.object(raw, i, buf[:0], elasticTop, 0); err != nil {
		return alert.Alert{}, err
	}
	return d.alert(d.envID, raw)
}

func (d *elasticDoc) v(s elasticSlot) string { return string(d.one[s]) }

func (d *elasticDoc) first(slots ...elasticSlot) string {
	for _, s := range slots {
		if v := d.one[s]; v != "" {
			return string(v)
		}
	}
	return ""
}

func (d *elasticDoc) alert(envID string, raw []byte) (alert.Alert, error) {
	title := d.first(elasticKibanaRuleName, elasticRuleName, elasticMessage)
	if title == "" {
		return alert.Alert{}, errors.New("elastic alert without kibana.alert.rule.name, rule.name or message")
	}
	var t time.Time
	if ts := d.first(elasticOriginalTime, elasticTimestamp); ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("elastic time: %w", err)
		}
	}
	sev, srcSev := d.severity()
	a := alert.Alert{
		Source:         "elastic",
		ID:             d.first(elasticAlertUUID, elasticEventID),
		Time:           t,
		Title:          title,
		Description:    d.first(elasticKibanaRuleDesc, elasticRuleDesc),
		Severity:       sev,
		SourceSeverity: srcSev,
		Rule: alert.Rule{
			ID:       d.first(elasticKibanaRuleID, elasticKibanaRuleUUID, elasticRuleID),
			Name:     d.first(elasticKibanaRuleName, elasticRuleName),
			Tags:     d.tags,
			Category: d.first(elasticKibanaRuleCategory, elasticRuleCategory, elasticEventCode),
		},
		Techniques: d.techniques,
	}
	if rs := d.v(elasticRuleRuleset); rs != "" {
		a.Rule.Tags = appendUnique(a.Rule.Tags, "ruleset:"+rs)
	}
	if a.ID == "" {
		a.ID = envID
	}
	if a.ID == "" {
		a.ID = alert.ContentID("elastic", raw)
	}
	a.Text = appendUnique(a.Text, d.v(elasticKibanaReason))
	if m := d.v(elasticMessage); m != a.Title {
		a.Text = appendUnique(a.Text, m)
	}
	d.entities(&a.Entities)
	return a, nil
}

func (d *elasticDoc) entities(e *alert.Entities) {
	h := alert.Host{Name: d.first(elasticHostName, elasticHostHostname), ID: d.v(elasticHostID)}
	for _, ip := range d.hostIPs {
		if isIP(ip) {
			h.IP = ip
			break
		}
	}
	if h != (alert.Host{}) {
		e.Hosts = []alert.Host{h}
	}
	if u := strings.TrimSpace(d.v(elasticUserName)); u != "" {
		e.Users = []alert.User{{Name: u, Domain: d.v(elasticUserDomain)}}
	}
	if ep, ok := endpoint(d.v(elasticSourceIP), d.v(elasticSourcePort)); ok {
		if ep.Hostname == "" {
			ep.Hostname = d.v(elasticSourceDomain)
		}
		e.Src = []alert.Endpoint{ep}
	}
	if ep, ok := endpoint(d.v(elasticDestIP), d.v(elasticDestPort)); ok {
		if ep.Hostname == "" {
			ep.Hostname = d.v(elasticDestDomain)
		}
		e.Dst = []alert.Endpoint{ep}
	}
	if p := (alert.Process{
		Name:        d.v(elasticProcName),
		Path:        d.v(elasticProcExe),
		CommandLine: d.v(elasticProcCmd),
		PID:         atoi(d.v(elasticProcPID)),
		Parent:      d.v(elasticProcParent),
	}); p.Name != "" || p.Path != "" || p.CommandLine != "" {
		e.Processes = []alert.Process{p}
	}
	if f := (alert.File{
		Name:   d.v(elasticFileName),
		Path:   d.v(elasticFilePath),
		MD5:    d.v(elasticFileMD5),
		SHA1:   d.v(elasticFileSHA1),
		SHA256: d.v(elasticFileSHA256),
	}); f != (alert.File{}) {
		e.Files = []alert.File{f}
	}
	e.URLs = appendUnique(e.URLs, d.first(elasticURLFull, elasticURLOriginal))
	e.Domains = appendDomain(e.Domains, d.v(elasticDNSName))
	e.Domains = appendDomain(e.Domains, d.v(elasticDestDomain))
	if from, subj := d.v(elasticEmailFrom), d.v(elasticEmailSubject); from != "" || subj != "" || len(d.emailTo) > 0 {
		e.Email = &alert.Email{From: from, To: d.emailTo, Subject: subj}
	}
}

// severity maps kibana.alert.severity names verbatim, and otherwise a
// risk score (kibana.alert.risk_score, or event.severity/event.risk_score
// of Endpoint alerts, all 0-100) by Elastic's own default bands: 21 low,
// 47 medium, 73 high, 99 critical. An alert with neither is medium.
func (d *elasticDoc) severity() (alert.Severity, string) {
	if s := d.v(elasticKibanaSeverity); s != "" {
		switch strings.ToLower(s) {
		case "low":
			return alert.SeverityLow, s
		case "medium":
			return alert.SeverityMedium, s
		case "high":
			return alert.SeverityHigh, s
		case "critical":
			return alert.SeverityCritical, s
		}
	}
	s := d.first(elasticKibanaRiskScore, elasticEventSeverity, elasticEventRiskScore)
	if s == "" {
		return alert.SeverityMedium, d.v(elasticKibanaSeverity)
	}
	n := atoi(s)
	switch {
	case n <= 21:
		return alert.SeverityLow, s
	case n <= 47:
		return alert.SeverityMedium, s
	case n <= 73:
		return alert.SeverityHigh, s
	}
	return alert.SeverityCritical, s
}
