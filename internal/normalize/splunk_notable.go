package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Splunk Enterprise Security notable events as search results return them
// (index=notable, sourcetype stash). Reference:
// https://docs.splunk.com/Documentation/ES/latest/User/Triagenotableevents
func init() { Register(splunkNotable{}) }

type splunkNotable struct{}

func (splunkNotable) Name() string { return "splunk_notable" }

func (splunkNotable) Detect(fs Fields, _ []byte) bool { return splunkIsNotable(fs) }

// splunkIsNotable reports whether a bare result is an ES notable: it lives
// in the notable index, was summary-indexed as stash, carries a notable
// event ID, or has the correlation-search trio rule_name, security_domain
// and urgency. The splunk format leaves these records to splunk_notable.
func splunkIsNotable(fs Fields) bool {
	if fs.StringIs("index", "notable") || fs.StringIs("sourcetype", "stash") {
		return true
	}
	if id := fs.Value("event_id"); len(id) > 0 && id[0] == '"' && bytes.Contains(id, []byte("@@notable@@")) {
		return true
	}
	return fs.Has("rule_name") && fs.Has("security_domain") && fs.Has("urgency")
}

// Normalize maps the notable's correlation-search fields; like the splunk
// format it reads only the members it needs from the scanned record.
func (splunkNotable) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, errors.New("splunk notable is not valid JSON")
	}
	var r splunkResult
	var riskTags []string
	err := withFields(raw, func(fs Fields) error {
		if !splunkIsNotable(fs) {
			return errors.New("splunk result is not a notable event")
		}
		for _, f := range fs {
			if err := r.set(string(f.Key), f.Value); err != nil {
				return err
			}
			// Per-object risk scores: dest_risk_score, user_risk_score, ...
			if k := string(f.Key); strings.HasSuffix(k, "_risk_score") && k != "risk_score" {
				var t text
				if err := t.UnmarshalJSON(f.Value); err == nil && t != "" && t != "0" {
					riskTags = append(riskTags, "risk_score:"+strings.TrimSuffix(k, "_risk_score")+"="+string(t))
				}
			}
		}
		return nil
	})
	if err != nil {
		return alert.Alert{}, err
	}
	title := firstOf(r.RuleTitle, r.RuleName, r.SearchName, r.Signature)
	if title == "" {
		return alert.Alert{}, errors.New("splunk notable without rule_title, rule_name or search_name")
	}
	a, err := r.alert(raw, "splunk:notable")
	if err != nil {
		return alert.Alert{}, err
	}
	a.Source = "splunk_notable"
	a.Title = title
	if r.EventID == "" {
		a.ID = alert.ContentID("splunk_notable", raw)
	}
	a.Rule.ID = string(r.RuleID)
	a.Rule.Name = firstOf(r.RuleName, r.SearchName, r.RuleTitle)
	a.Rule.Category = string(r.SecurityDomain)
	if r.OrigSid != "" {
		a.Rule.Tags = append(a.Rule.Tags, "orig_sid:"+string(r.OrigSid))
	}
	if r.RiskScore != "" && r.RiskScore != "0" {
		a.Rule.Tags = append(a.Rule.Tags, "risk_score:"+string(r.RiskScore))
	}
	a.Rule.Tags = append(a.Rule.Tags, riskTags...)
	switch strings.ToLower(string(r.RiskObjectType)) {
	case "system":
		if r.RiskObject != "" {
			a.Entities.Hosts = append(a.Entities.Hosts, alert.Host{Name: string(r.RiskObject)})
		}
	case "user":
		a.Entities.Users = appendUser(a.Entities.Users, string(r.RiskObject))
	}
	// The notable's host is the search head that wrote it, not a subject.
	a.Entities.Hosts = splunkNotableHosts(a.Entities.Hosts, string(r.Host))
	if d := string(r.RuleDescription); d != "" && d != a.Title {
		a.Description = d
	} else if d == a.Title {
		a.Description = ""
	}
	a.SourceSeverity = firstOf(r.Urgency, r.Severity)
	a.Severity = splunkSeverity(a.SourceSeverity)
	if r.Time == "" {
		return alert.Alert{}, fmt.Errorf("splunk notable %s without _time", a.ID)
	}
	return a, nil
}

// splunkNotableHosts drops the search head from the hosts the generic
// result mapping found.
func splunkNotableHosts(hosts []alert.Host, searchHead string) []alert.Host {
	if searchHead == "" {
		return hosts
	}
	out := hosts[:0]
	for _, h := range hosts {
		if h.Name != searchHead && h.IP != searchHead {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
