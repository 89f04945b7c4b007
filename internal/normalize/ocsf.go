package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// OCSF findings: Detection Finding (class_uid 2004, OCSF 1.1+) and the
// legacy Security Finding (2001, finding{} instead of finding_info{}), as
// emitted by AWS Security Hub, Okta, Falco, Prowler and others. The mapping
// is the inverse of docs/ocsf.md. References:
// https://schema.ocsf.io/classes/detection_finding and
// https://schema.ocsf.io/1.0.0/classes/security_finding
func init() { Register(ocsf{}) }

type ocsf struct{}

type ocsfRecord struct {
	ClassUID    text           `json:"class_uid"`
	ClassName   text           `json:"class_name"`
	Time        text           `json:"time"`
	TimeDT      text           `json:"time_dt"`
	Message     text           `json:"message"`
	Severity    text           `json:"severity"`
	SeverityID  text           `json:"severity_id"`
	FindingInfo *ocsfInfo      `json:"finding_info"`
	Finding     *ocsfInfo      `json:"finding"`
	Analytic    ocsfAnalytic   `json:"analytic"`
	Attacks     []ocsfAttack   `json:"attacks"`
	Metadata    ocsfMetadata   `json:"metadata"`
	Resources   []ocsfResource `json:"resources"`
	Evidences   []ocsfEvidence `json:"evidences"`
	Observables []ocsfObs      `json:"observables"`
	Malware     []struct {
		Name text `json:"name"`
	} `json:"malware"`
	ocsfActors
	Unmapped struct {
		Compliance struct {
			MitreAttack texts `json:"MITRE-ATTACK"`
		} `json:"compliance"`
	} `json:"unmapped"`
}

// ocsfActors are the entity objects that appear both at the top level and
// in each evidences[] element.
type ocsfActors struct {
	Device      *ocsfDevice   `json:"device"`
	Actor       ocsfActor     `json:"actor"`
	User        *ocsfUser     `json:"user"`
	SrcEndpoint *ocsfEndpoint `json:"src_endpoint"`
	DstEndpoint *ocsfEndpoint `json:"dst_endpoint"`
	Process     *ocsfProcess  `json:"process"`
	File        *ocsfFile     `json:"file"`
	Email       *struct {
		From    text  `json:"from"`
		To      texts `json:"to"`
		Subject text  `json:"subject"`
	} `json:"email"`
}

type ocsfInfo struct {
	UID         text         `json:"uid"`
	Title       text         `json:"title"`
	Desc        text         `json:"desc"`
	Types       texts        `json:"types"`
	CreatedTime text         `json:"created_time"`
	Analytic    ocsfAnalytic `json:"analytic"`
	Attacks     []ocsfAttack `json:"attacks"`
}

type ocsfAnalytic struct {
	UID      text `json:"uid"`
	Name     text `json:"name"`
	Category text `json:"category"`
	// Related are QRadar's CRE rules behind an offense.
	Related []struct {
		UID      text `json:"uid"`
		Name     text `json:"name"`
		Category text `json:"category"`
	} `json:"relatedAnalytics"`
}

type ocsfAttack struct {
	Technique struct {
		UID text `json:"uid"`
	} `json:"technique"`
	SubTechnique struct {
		UID text `json:"uid"`
	} `json:"sub_technique"`
}

type ocsfMetadata struct {
	UID       text  `json:"uid"`
	EventCode text  `json:"event_code"`
	Labels    texts `json:"labels"`
	Product   struct {
		Name       text `json:"name"`
		VendorName text `json:"vendor_name"`
	} `json:"product"`
}

type ocsfResource struct {
	UID      text `json:"uid"`
	Name     text `json:"name"`
	Hostname text `json:"hostname"`
	IP       text `json:"ip"`
}

type ocsfEvidence struct {
	ocsfActors
	URL struct {
		URLString text `json:"url_string"`
	} `json:"url"`
	Query struct {
		Hostname text `json:"hostname"`
	} `json:"query"`
}

type ocsfObs struct {
	TypeID text `json:"type_id"`
	Value  text `json:"value"`
}

type ocsfDevice struct {
	Hostname text `json:"hostname"`
	Name     text `json:"name"`
	IP       text `json:"ip"`
	UID      text `json:"uid"`
}

type ocsfActor struct {
	User    *ocsfUser    `json:"user"`
	Process *ocsfProcess `json:"process"`
}

type ocsfUser struct {
	Name   text `json:"name"`
	Domain text `json:"domain"`
}

type ocsfEndpoint struct {
	IP       text `json:"ip"`
	Port     text `json:"port"`
	Hostname text `json:"hostname"`
	Domain   text `json:"domain"`
}

type ocsfProcess struct {
	Name          text      `json:"name"`
	PID           text      `json:"pid"`
	CmdLine       text      `json:"cmd_line"`
	File          *ocsfFile `json:"file"`
	ParentProcess *struct {
		Name text `json:"name"`
	} `json:"parent_process"`
}

type ocsfFile struct {
	Name   text `json:"name"`
	Path   text `json:"path"`
	Hashes []struct {
		AlgorithmID text `json:"algorithm_id"`
		Value       text `json:"value"`
	} `json:"hashes"`
}

func (ocsf) Name() string { return "ocsf" }

// Detect claims records whose class_uid is 2004 or 2001 and that carry the
// finding object of their class and OCSF metadata.
func (ocsf) Detect(fs Fields, _ []byte) bool {
	c := string(fs.Value("class_uid"))
	return (c == "2004" || c == "2001") && fs.Has("metadata") &&
		(fs.Has("finding_info") || fs.Has("finding"))
}

func (ocsf) Normalize(raw []byte) (alert.Alert, error) {
	var r ocsfRecord
	if err := r.decode(raw); err != nil {
		return alert.Alert{}, fmt.Errorf("decode ocsf finding: %w", err)
	}
	return r.alert(raw)
}

// decode validates the record once and decodes only the top-level members
// Winnow reads. Findings carry large members it ignores (unmapped, raw_data,
// enrichments) that encoding/json would parse field by field; skipping
// them this way made the format about twice as fast.
func (r *ocsfRecord) decode(raw []byte) error {
	if !jsonscan.Valid(raw) {
		return errors.New("record is not valid JSON")
	}
	return withFields(raw, func(fs Fields) error {
		for _, f := range fs {
			var err error
			switch string(f.Key) {
			case "class_uid":
				err = r.ClassUID.UnmarshalJSON(f.Value)
			case "class_name":
				err = r.ClassName.UnmarshalJSON(f.Value)
			case "time":
				err = r.Time.UnmarshalJSON(f.Value)
			case "time_dt":
				err = r.TimeDT.UnmarshalJSON(f.Value)
			case "message":
				err = r.Message.UnmarshalJSON(f.Value)
			case "severity":
				err = r.Severity.UnmarshalJSON(f.Value)
			case "severity_id":
				err = r.SeverityID.UnmarshalJSON(f.Value)
			case "unmapped":
				err = r.decodeUnmapped(f.Value)
			case "finding_info", "finding", "analytic", "attacks", "metadata", "resources", "evidences",
				"observables", "malware", "device", "actor", "user", "src_endpoint", "dst_endpoint",
				"process", "file", "email":
				err = json.Unmarshal(f.Value, ocsfMember(r, string(f.Key)))
			default:
				continue
			}
			if err != nil {
				return fmt.Errorf("%s: %w", f.Key, err)
			}
		}
		return nil
	})
}

// ocsfMember returns the field of r that decodes the member key.
func ocsfMember(r *ocsfRecord, key string) any {
	switch key {
	case "finding_info":
		return &r.FindingInfo
	case "finding":
		return &r.Finding
	case "analytic":
		return &r.Analytic
	case "attacks":
		return &r.Attacks
	case "metadata":
		return &r.Metadata
	case "resources":
		return &r.Resources
	case "evidences":
		return &r.Evidences
	case "observables":
		return &r.Observables
	case "malware":
		return &r.Malware
	case "device":
		return &r.Device
	case "actor":
		return &r.Actor
	case "user":
		return &r.User
	case "src_endpoint":
		return &r.SrcEndpoint
	case "dst_endpoint":
		return &r.DstEndpoint
	case "process":
		return &r.Process
	case "file":
		return &r.File
	}
	return &r.Email
}

// decodeUnmapped reads the one unmapped member Winnow uses, Prowler's
// compliance["MITRE-ATTACK"] technique list.
func (r *ocsfRecord) decodeUnmapped(v []byte) error {
	if len(v) == 0 || v[0] != '{' {
		return nil
	}
	return withFields(v, func(fs Fields) error {
		c := fs.Value("compliance")
		if len(c) == 0 || c[0] != '{' {
			return nil
		}
		return withFields(c, func(cs Fields) error {
			if m := cs.Value("MITRE-ATTACK"); m != nil {
				return r.Unmapped.Compliance.MitreAttack.UnmarshalJSON(m)
			}
			return nil
		})
	})
}

func (r *ocsfRecord) alert(raw []byte) (alert.Alert, error) {
	if c := string(r.ClassUID); c != "2004" && c != "2001" {
		return alert.Alert{}, fmt.Errorf("ocsf class_uid %q is not a finding (2004 or 2001)", c)
	}
	info := r.FindingInfo
	if info == nil {
		info = r.Finding
	}
	if info == nil {
		return alert.Alert{}, errors.New("ocsf finding without finding_info or finding")
	}
	title := string(info.Title)
	if title == "" {
		title = string(r.Message)
	}
	if title = strings.TrimSpace(title); title == "" {
		return alert.Alert{}, errors.New("ocsf finding without finding_info.title or message")
	}
	var t time.Time
	if ts := ocsfFirstText(r.Time, r.TimeDT, info.CreatedTime); ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("ocsf time: %w", err)
		}
	}
	sev, srcSev := ocsfSeverity(string(r.SeverityID), string(r.Severity))
	a := alert.Alert{
		Source:         "ocsf",
		ID:             ocsfFirstText(info.UID, r.Metadata.UID),
		Time:           t,
		Title:          title,
		Description:    strings.TrimSpace(string(info.Desc)),
		Severity:       sev,
		SourceSeverity: srcSev,
	}
	if a.ID == "" {
		a.ID = alert.ContentID("ocsf", raw)
	}
	a.Rule = r.rule(info)
	for _, at := range append(info.Attacks, r.Attacks...) {
		for _, id := range []text{at.Technique.UID, at.SubTechnique.UID} {
			if isTechniqueID(string(id)) {
				a.Techniques = appendUnique(a.Techniques, string(id))
			}
		}
	}
	for _, id := range r.Unmapped.Compliance.MitreAttack {
		if isTechniqueID(id) {
			a.Techniques = appendUnique(a.Techniques, id)
		}
	}
	if m := strings.TrimSpace(string(r.Message)); m != a.Title && m != a.Description {
		a.Text = appendUnique(a.Text, m)
	}
	for _, m := range r.Malware {
		a.Text = appendUnique(a.Text, string(m.Name))
	}
	r.entities(&a)
	return a, nil
}

func (r *ocsfRecord) rule(info *ocsfInfo) alert.Rule {
	an := info.Analytic
	if an.UID == "" && an.Name == "" {
		an = r.Analytic
	}
	rule := alert.Rule{ID: string(an.UID), Name: string(an.Name), Category: string(an.Category)}
	if rule.ID == "" && len(an.Related) > 0 {
		rel := an.Related[0]
		rule.ID, rule.Name = string(rel.UID), string(rel.Name)
		if rule.Category == "" {
			rule.Category = string(rel.Category)
		}
	}
	if rule.ID == "" {
		rule.ID = string(r.Metadata.EventCode)
	}
	if rule.Name == "" {
		rule.Name = string(info.Title)
	}
	if rule.Category == "" {
		rule.Category = string(r.ClassName)
	}
	rule.Tags = appendUnique(rule.Tags, info.Types...)
	rule.Tags = appendUnique(rule.Tags, r.Metadata.Labels...)
	if p := string(r.Metadata.Product.Name); p != "" {
		rule.Tags = appendUnique(rule.Tags, "ocsf:"+p)
	}
	return rule
}

func (r *ocsfRecord) entities(a *alert.Alert) {
	e := &a.Entities
	ocsfAddActors(e, &r.ocsfActors)
	for i := range r.Evidences {
		ev := &r.Evidences[i]
		ocsfAddActors(e, &ev.ocsfActors)
		if u := string(ev.URL.URLString); u != "" {
			e.URLs = appendUnique(e.URLs, u)
		}
		e.Domains = appendDomain(e.Domains, string(ev.Query.Hostname))
	}
	for _, res := range r.Resources {
		h := alert.Host{Name: string(res.Hostname), IP: string(res.IP)}
		if h.IP == "" && isIP(string(res.UID)) {
			h.IP = string(res.UID)
		}
		if h != (alert.Host{}) {
			e.Hosts = ocsfAppendHost(e.Hosts, h)
		}
		if uid := string(res.UID); uid != h.IP {
			a.Text = appendUnique(a.Text, uid)
		}
	}
	// Observables repeat the fields above under typed names; those not
	// already entities become text for the observable extractor.
	for _, o := range r.Observables {
		v := strings.TrimSpace(string(o.Value))
		switch string(o.TypeID) {
		case "1": // Hostname
			e.Domains = appendDomain(e.Domains, v)
		case "4", "21": // User Name, User
			e.Users = appendUser(e.Users, v)
		case "6", "23": // URL String, URL
			e.URLs = appendUnique(e.URLs, v)
		case "8": // Hash
			var f alert.File
			if hashFile(&f, v); f != (alert.File{}) {
				e.Files = append(e.Files, f)
			}
		case "2", "5", "7": // IP Address, Email Address, File Name
			if !ocsfHasIP(e, v) {
				a.Text = appendUnique(a.Text, v)
			}
		}
	}
}

// addActors adds the entities of one set of OCSF entity objects.
func ocsfAddActors(e *alert.Entities, x *ocsfActors) {
	if d := x.Device; d != nil {
		h := alert.Host{Name: ocsfFirstText(d.Hostname, d.Name), IP: string(d.IP), ID: string(d.UID)}
		if h != (alert.Host{}) {
			e.Hosts = ocsfAppendHost(e.Hosts, h)
		}
	}
	for _, u := range []*ocsfUser{x.Actor.User, x.User} {
		if u != nil && strings.TrimSpace(string(u.Name)) != "" {
			if n := len(e.Users); len(appendUser(e.Users, string(u.Name))) > n {
				e.Users = append(e.Users, alert.User{Name: strings.TrimSpace(string(u.Name)), Domain: string(u.Domain)})
			}
		}
	}
	for _, p := range []struct {
		ep  *ocsfEndpoint
		dst *[]alert.Endpoint
	}{{x.SrcEndpoint, &e.Src}, {x.DstEndpoint, &e.Dst}} {
		if p.ep == nil {
			continue
		}
		ep, ok := endpoint(string(p.ep.IP), string(p.ep.Port))
		if !ok {
			ep, ok = endpoint(ocsfFirstText(p.ep.Hostname, p.ep.Domain), string(p.ep.Port))
		}
		if ok {
			if ep.Hostname == "" {
				ep.Hostname = ocsfFirstText(p.ep.Hostname, p.ep.Domain)
			}
			*p.dst = append(*p.dst, ep)
		}
		e.Domains = appendDomain(e.Domains, string(p.ep.Domain))
	}
	for _, pr := range []*ocsfProcess{x.Process, x.Actor.Process} {
		if pr == nil {
			continue
		}
		p := alert.Process{Name: string(pr.Name), CommandLine: string(pr.CmdLine), PID: atoi(string(pr.PID))}
		if pr.File != nil {
			p.Path = string(pr.File.Path)
			if p.Name == "" {
				p.Name = string(pr.File.Name)
			}
		}
		if pr.ParentProcess != nil {
			p.Parent = string(pr.ParentProcess.Name)
		}
		if p.Name != "" || p.Path != "" || p.CommandLine != "" {
			e.Processes = append(e.Processes, p)
		}
	}
	if f := x.File; f != nil {
		file := alert.File{Name: string(f.Name), Path: string(f.Path)}
		for _, h := range f.Hashes {
			// algorithm_id: 1 MD5, 2 SHA-1, 3 SHA-256; others by length.
			switch string(h.AlgorithmID) {
			case "1":
				file.MD5 = string(h.Value)
			case "2":
				file.SHA1 = string(h.Value)
			case "3":
				file.SHA256 = string(h.Value)
			default:
				hashFile(&file, string(h.Value))
			}
		}
		if file != (alert.File{}) {
			e.Files = append(e.Files, file)
		}
	}
	if m := x.Email; m != nil && (m.From != "" || len(m.To) > 0 || m.Subject != "") {
		e.Email = &alert.Email{From: string(m.From), To: m.To, Subject: string(m.Subject)}
	}
}

func ocsfAppendHost(hosts []alert.Host, h alert.Host) []alert.Host {
	for _, o := range hosts {
		if o == h {
			return hosts
		}
	}
	return append(hosts, h)
}

func ocsfHasIP(e *alert.Entities, ip string) bool {
	for _, l := range [][]alert.Endpoint{e.Src, e.Dst} {
		for _, ep := range l {
			if ep.IP == ip {
				return true
			}
		}
	}
	for _, h := range e.Hosts {
		if h.IP == ip {
			return true
		}
	}
	return false
}

func ocsfFirstText(ts ...text) string {
	for _, t := range ts {
		if t != "" {
			return string(t)
		}
	}
	return ""
}

// ocsfSeverity maps severity_id: 1 informational -> info, 2 low, 3 medium,
// 4 high, 5 critical and 6 fatal -> critical. Unknown (0) and other (99)
// fall back to the severity caption when it names a level, and otherwise
// to medium, since the producer made no claim either way.
func ocsfSeverity(id, caption string) (alert.Severity, string) {
	src := strings.TrimSpace(caption)
	if src == "" {
		src = id
	}
	switch id {
	case "1":
		return alert.SeverityInfo, src
	case "2":
		return alert.SeverityLow, src
	case "3":
		return alert.SeverityMedium, src
	case "4":
		return alert.SeverityHigh, src
	case "5", "6":
		return alert.SeverityCritical, src
	}
	switch strings.ToLower(src) {
	case "informational", "info":
		return alert.SeverityInfo, src
	case "low":
		return alert.SeverityLow, src
	case "high":
		return alert.SeverityHigh, src
	case "critical", "fatal":
		return alert.SeverityCritical, src
	}
	return alert.SeverityMedium, src
}
