package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Formats configures input formats beyond the built-in normalisers.
type Formats struct {
	// Generic are JSON mappings for products Winnow has no normaliser
	// for, tried in file order.
	Generic []GenericFormat `yaml:"generic" json:"generic,omitempty"`
}

// GenericFormat maps one kind of JSON record onto the canonical alert by
// dotted paths ("a.b.c"; array indexes as segments, "a.0.b").
type GenericFormat struct {
	// Name identifies the mapping, [a-z0-9_]+, unique; alerts carry it as
	// the rule tag "generic:<name>".
	Name string `yaml:"name" json:"name"`
	// Match, when set, lets format detection claim the records whose
	// value at Match.Field equals Match.Equals.
	Match *GenericMatch `yaml:"match,omitempty" json:"match,omitempty"`
	// Fields are the paths of the canonical fields; title is required.
	Fields GenericFields `yaml:"fields" json:"fields"`
	// SeverityMap maps raw severity values to info, low, medium, high or
	// critical.
	SeverityMap map[string]string `yaml:"severity_map,omitempty" json:"severity_map,omitempty"`
}

// GenericMatch selects records by the value at a path.
type GenericMatch struct {
	Field  string `yaml:"field" json:"field"`
	Equals string `yaml:"equals" json:"equals"`
}

// GenericFields are the paths of the canonical alert fields. Empty means
// not mapped.
type GenericFields struct {
	ID           string `yaml:"id,omitempty" json:"id,omitempty"`
	Time         string `yaml:"time,omitempty" json:"time,omitempty"`
	Title        string `yaml:"title,omitempty" json:"title,omitempty"`
	Description  string `yaml:"description,omitempty" json:"description,omitempty"`
	Severity     string `yaml:"severity,omitempty" json:"severity,omitempty"`
	RuleID       string `yaml:"rule_id,omitempty" json:"rule_id,omitempty"`
	RuleName     string `yaml:"rule_name,omitempty" json:"rule_name,omitempty"`
	Category     string `yaml:"category,omitempty" json:"category,omitempty"`
	Tags         string `yaml:"tags,omitempty" json:"tags,omitempty"`
	SrcIP        string `yaml:"src_ip,omitempty" json:"src_ip,omitempty"`
	SrcPort      string `yaml:"src_port,omitempty" json:"src_port,omitempty"`
	DstIP        string `yaml:"dst_ip,omitempty" json:"dst_ip,omitempty"`
	DstPort      string `yaml:"dst_port,omitempty" json:"dst_port,omitempty"`
	Host         string `yaml:"host,omitempty" json:"host,omitempty"`
	HostIP       string `yaml:"host_ip,omitempty" json:"host_ip,omitempty"`
	User         string `yaml:"user,omitempty" json:"user,omitempty"`
	Process      string `yaml:"process,omitempty" json:"process,omitempty"`
	CommandLine  string `yaml:"command_line,omitempty" json:"command_line,omitempty"`
	FileName     string `yaml:"file_name,omitempty" json:"file_name,omitempty"`
	FilePath     string `yaml:"file_path,omitempty" json:"file_path,omitempty"`
	FileHash     string `yaml:"file_hash,omitempty" json:"file_hash,omitempty"`
	URL          string `yaml:"url,omitempty" json:"url,omitempty"`
	Domain       string `yaml:"domain,omitempty" json:"domain,omitempty"`
	EmailFrom    string `yaml:"email_from,omitempty" json:"email_from,omitempty"`
	EmailTo      string `yaml:"email_to,omitempty" json:"email_to,omitempty"`
	EmailSubject string `yaml:"email_subject,omitempty" json:"email_subject,omitempty"`
	Techniques   string `yaml:"techniques,omitempty" json:"techniques,omitempty"`
	Text         string `yaml:"text,omitempty" json:"text,omitempty"`
}

// Map returns the set paths keyed by their YAML field names, the form
// normalize.GenericMapping takes.
func (f GenericFields) Map() map[string]string {
	m := map[string]string{}
	for _, kv := range f.pairs() {
		if kv[1] != "" {
			m[kv[0]] = kv[1]
		}
	}
	return m
}

// pairs lists every field as {name, path} in declaration order.
func (f GenericFields) pairs() [][2]string {
	return [][2]string{
		{"id", f.ID}, {"time", f.Time}, {"title", f.Title}, {"description", f.Description},
		{"severity", f.Severity}, {"rule_id", f.RuleID}, {"rule_name", f.RuleName},
		{"category", f.Category}, {"tags", f.Tags}, {"src_ip", f.SrcIP}, {"src_port", f.SrcPort},
		{"dst_ip", f.DstIP}, {"dst_port", f.DstPort}, {"host", f.Host}, {"host_ip", f.HostIP},
		{"user", f.User}, {"process", f.Process}, {"command_line", f.CommandLine},
		{"file_name", f.FileName}, {"file_path", f.FilePath}, {"file_hash", f.FileHash},
		{"url", f.URL}, {"domain", f.Domain}, {"email_from", f.EmailFrom}, {"email_to", f.EmailTo},
		{"email_subject", f.EmailSubject}, {"techniques", f.Techniques}, {"text", f.Text},
	}
}

var genericNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

var severityNames = map[string]bool{"info": true, "low": true, "medium": true, "high": true, "critical": true}

func (f *Formats) validate(p *problems) {
	names := map[string]int{}
	for i, g := range f.Generic {
		path := fmt.Sprintf("formats.generic[%d]", i)
		switch {
		case g.Name == "":
			p.add(path+".name", "", "required")
		case !genericNamePattern.MatchString(g.Name):
			p.add(path+".name", "", "%q: must match [a-z0-9_]+", g.Name)
		case names[g.Name] > 0:
			p.add(path+".name", "", "duplicate mapping %q (also formats.generic[%d])", g.Name, names[g.Name]-1)
		default:
			names[g.Name] = i + 1
		}
		if g.Match != nil {
			if g.Match.Field == "" {
				p.add(path+".match.field", "", "required")
			} else {
				validatePath(p, path+".match.field", g.Match.Field)
			}
			if g.Match.Equals == "" {
				p.add(path+".match.equals", "", "required")
			}
		}
		if g.Fields.Title == "" {
			p.add(path+".fields.title", "", "required")
		}
		for _, kv := range g.Fields.pairs() {
			if kv[1] != "" {
				validatePath(p, path+".fields."+kv[0], kv[1])
			}
		}
		if len(g.SeverityMap) > 0 && g.Fields.Severity == "" {
			p.add(path+".severity_map", "", "needs fields.severity")
		}
		for _, raw := range slices.Sorted(maps.Keys(g.SeverityMap)) {
			if v := g.SeverityMap[raw]; !severityNames[v] {
				p.add(path+".severity_map."+raw, "", "%q: must be one of info, low, medium, high, critical", v)
			}
		}
	}
}

// validatePath checks a dotted path: non-empty segments without spaces.
func validatePath(p *problems, at, path string) {
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" || strings.ContainsAny(seg, " \t\r\n") {
			p.add(at, "", "%q: must be a dotted path such as a.b.0.c", path)
			return
		}
	}
}
