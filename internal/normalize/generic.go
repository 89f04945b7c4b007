package normalize

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// GenericMapping declares how to read one kind of JSON record that no
// built-in format knows. It is plain data, usually decoded from the
// configuration's formats.generic list; NewGeneric compiles it.
type GenericMapping struct {
	// Match, when Match.Field is set, lets format detection claim the
	// records whose value at that path equals Match.Equals.
	Match GenericMatch
	// Fields maps canonical field names (GenericFieldNames) to dotted
	// paths into the record: "a.b.c", with array indexes as segments
	// ("a.0.b"). A segment that is not an index applies to every element
	// of an array, and a path also matches flat dotted keys ("a.b": ...).
	Fields map[string]string
	// SeverityMap maps raw severity values to Winnow severities (info,
	// low, medium, high, critical). Values not in it must be severity
	// names themselves.
	SeverityMap map[string]string
}

// GenericMatch selects records by the string or number at a path.
type GenericMatch struct {
	Field  string
	Equals string
}

// genericField is the slot of one canonical field.
type genericField int

const (
	genericID genericField = iota
	genericTime
	genericTitle
	genericDescription
	genericSeverity
	genericRuleID
	genericRuleName
	genericCategory
	genericTags
	genericSrcIP
	genericSrcPort
	genericDstIP
	genericDstPort
	genericHost
	genericHostIP
	genericUser
	genericProcess
	genericCommandLine
	genericFileName
	genericFilePath
	genericFileHash
	genericURL
	genericDomain
	genericEmailFrom
	genericEmailTo
	genericEmailSubject
	genericTechniques
	genericText
	genericFieldCount
)

// GenericFieldNames returns the canonical field names a mapping may set.
func GenericFieldNames() []string { return slices.Clone(genericFieldNames) }

// genericFieldNames are the canonical field names in slot order.
var genericFieldNames = []string{
	"id", "time", "title", "description", "severity", "rule_id", "rule_name", "category", "tags",
	"src_ip", "src_port", "dst_ip", "dst_port", "host", "host_ip", "user", "process", "command_line",
	"file_name", "file_path", "file_hash", "url", "domain", "email_from", "email_to", "email_subject",
	"techniques", "text",
}

var genericNamePattern = regexp.MustCompile(`^[a-z0-9_]+$`)

var genericSeverities = map[string]alert.Severity{
	"info": alert.SeverityInfo, "informational": alert.SeverityInfo, "low": alert.SeverityLow,
	"medium": alert.SeverityMedium, "high": alert.SeverityHigh, "critical": alert.SeverityCritical,
}

// genericNode is one segment of the compiled path trie: the fields whose
// path ends here and the segments that continue it.
type genericNode struct {
	slots    []genericField
	children map[string]*genericNode
}

func (n *genericNode) add(path string, slot genericField) {
	for seg := range strings.SplitSeq(path, ".") {
		if n.children == nil {
			n.children = map[string]*genericNode{}
		}
		c := n.children[seg]
		if c == nil {
			c = &genericNode{}
			n.children[seg] = c
		}
		n = c
	}
	n.slots = append(n.slots, slot)
}

// generic is one compiled mapping. Its Name is "generic" whatever the
// mapping is called; the mapping name is the rule tag "generic:<name>".
type generic struct {
	name     string
	tag      string
	root     genericNode
	match    *genericNode // nil without a match rule
	equals   string
	severity map[string]alert.Severity
}

// NewGeneric compiles a mapping called name, reporting every problem in it
// at once.
func NewGeneric(name string, m GenericMapping) (Format, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !genericNamePattern.MatchString(name) {
		bad("generic mapping name %q: must match [a-z0-9_]+", name)
	}
	g := &generic{name: name, tag: "generic:" + name, severity: map[string]alert.Severity{}}
	if m.Fields["title"] == "" {
		bad("generic mapping %s: fields.title is required", name)
	}
	for _, key := range slices.Sorted(maps.Keys(m.Fields)) {
		slot := slices.Index(genericFieldNames, key)
		if slot < 0 {
			bad("generic mapping %s: unknown field %q", name, key)
			continue
		}
		if err := genericPathError(m.Fields[key]); err != nil {
			bad("generic mapping %s: fields.%s: %w", name, key, err)
			continue
		}
		g.root.add(m.Fields[key], genericField(slot))
	}
	if m.Match.Field != "" {
		if err := genericPathError(m.Match.Field); err != nil {
			bad("generic mapping %s: match.field: %w", name, err)
		} else {
			g.match = &genericNode{}
			g.match.add(m.Match.Field, 0)
			g.equals = m.Match.Equals
		}
	} else if m.Match.Equals != "" {
		bad("generic mapping %s: match.equals without match.field", name)
	}
	for _, raw := range slices.Sorted(maps.Keys(m.SeverityMap)) {
		sev, ok := genericSeverities[strings.ToLower(m.SeverityMap[raw])]
		if !ok {
			bad("generic mapping %s: severity_map[%q]: %q is not one of info, low, medium, high, critical", name, raw, m.SeverityMap[raw])
		}
		g.severity[raw] = sev
	}
	if len(m.SeverityMap) > 0 && m.Fields["severity"] == "" {
		bad("generic mapping %s: severity_map without fields.severity", name)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// genericPathError reports why path is not a valid dotted path, or nil.
func genericPathError(path string) error {
	if path == "" {
		return errors.New("empty path")
	}
	for seg := range strings.SplitSeq(path, ".") {
		if seg == "" {
			return fmt.Errorf("path %q has an empty segment", path)
		}
		if strings.ContainsAny(seg, " \t\r\n") {
			return fmt.Errorf("path %q contains white space", path)
		}
	}
	return nil
}

func (g *generic) Name() string { return "generic" }

// MappingName is the configured name of the mapping.
func (g *generic) MappingName() string { return g.name }

// catchAll reports whether the mapping has no match rule, which makes it
// the fallback when a record is forced to the generic format.
func (g *generic) catchAll() bool { return g.match == nil }

// Detect claims a record only when the mapping has a match rule and the
// record's value at its path equals it.
func (g *generic) Detect(fs Fields, _ []byte) bool {
	if g.match == nil {
		return false
	}
	var vals genericValues
	if err := vals.walkFields(fs, g.match, 0); err != nil {
		return false
	}
	return slices.Contains(vals[0], g.equals)
}

// genericValues holds the values found for each slot, in document order.
type genericValues [genericFieldCount][]string

const genericMaxDepth = 64

func (v *genericValues) walk(raw []byte, n *genericNode, depth int) error {
	for _, s := range n.slots {
		if err := v.leaf(s, raw); err != nil {
			return err
		}
	}
	return v.walkChildren(raw, n, depth)
}

func (v *genericValues) walkChildren(raw []byte, n *genericNode, depth int) error {
	if len(n.children) == 0 || len(raw) == 0 {
		return nil
	}
	if depth > genericMaxDepth {
		return errors.New("record nested too deeply")
	}
	switch raw[0] {
	case '{':
		return withFields(raw, func(fs Fields) error { return v.walkFields(fs, n, depth+1) })
	case '[':
		return genericElements(raw, func(i int, elem []byte) error {
			if c := n.children[strconv.Itoa(i)]; c != nil {
				if err := v.walk(elem, c, depth+1); err != nil {
					return err
				}
			}
			return v.walkChildren(elem, n, depth+1)
		})
	}
	return nil
}

// walkFields descends into every member whose key, split at dots, spells
// a path of children of n.
func (v *genericValues) walkFields(fs Fields, n *genericNode, depth int) error {
	for _, f := range fs {
		c := n
		key := f.Key
		for c != nil && len(key) > 0 {
			seg := key
			rest := []byte(nil)
			for i, b := range key {
				if b == '.' {
					seg, rest = key[:i], key[i+1:]
					break
				}
			}
			c = c.children[string(seg)]
			key = rest
		}
		if c != nil && c != n {
			if err := v.walk(f.Value, c, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// leaf records a value: a scalar, or each scalar of an array.
func (v *genericValues) leaf(s genericField, raw []byte) error {
	if len(raw) == 0 {
		return nil
	}
	if raw[0] == '[' {
		var ts texts
		if err := ts.UnmarshalJSON(raw); err != nil {
			return fmt.Errorf("field %s: %w", genericFieldNames[s], err)
		}
		v[s] = append(v[s], ts...)
		return nil
	}
	var t text
	if err := t.UnmarshalJSON(raw); err != nil {
		return fmt.Errorf("field %s: %w", genericFieldNames[s], err)
	}
	if t = text(strings.TrimSpace(string(t))); t != "" {
		v[s] = append(v[s], string(t))
	}
	return nil
}

func (v *genericValues) one(s genericField) string {
	if len(v[s]) == 0 {
		return ""
	}
	return v[s][0]
}

// genericElements calls fn with each element of the JSON array raw.
func genericElements(raw []byte, fn func(int, []byte) error) error {
	i := scanSpace(raw, 1)
	if i < len(raw) && raw[i] == ']' {
		return nil
	}
	for n := 0; ; n++ {
		end := scanValueEnd(raw, i)
		if end <= i {
			return fmt.Errorf("bad array element at byte %d", i)
		}
		if err := fn(n, raw[i:end]); err != nil {
			return err
		}
		i = scanSpace(raw, end)
		if i >= len(raw) {
			return errors.New("unterminated array")
		}
		if raw[i] == ']' {
			return nil
		}
		if raw[i] != ',' {
			return fmt.Errorf("expected ',' or ']' at byte %d", i)
		}
		i = scanSpace(raw, i+1)
	}
}

func (g *generic) Normalize(raw []byte) (alert.Alert, error) {
	if !jsonscan.Valid(raw) {
		return alert.Alert{}, fmt.Errorf("generic %s: record is not valid JSON", g.name)
	}
	var v genericValues
	err := withFields(raw, func(fs Fields) error { return v.walkFields(fs, &g.root, 0) })
	if err != nil {
		return alert.Alert{}, fmt.Errorf("generic %s: %w", g.name, err)
	}
	return g.alert(&v, raw)
}

func (g *generic) alert(v *genericValues, raw []byte) (alert.Alert, error) {
	title := v.one(genericTitle)
	if title == "" {
		return alert.Alert{}, fmt.Errorf("generic %s: record has no title", g.name)
	}
	var t time.Time
	if ts := v.one(genericTime); ts != "" {
		var err error
		if t, err = parseTime(ts); err != nil {
			return alert.Alert{}, fmt.Errorf("generic %s: time: %w", g.name, err)
		}
	}
	srcSev := v.one(genericSeverity)
	sev := alert.SeverityMedium
	if srcSev != "" {
		var ok bool
		if sev, ok = g.severity[srcSev]; !ok {
			if sev, ok = genericSeverities[strings.ToLower(srcSev)]; !ok {
				return alert.Alert{}, fmt.Errorf("generic %s: severity %q is neither in severity_map nor a severity name", g.name, srcSev)
			}
		}
	}
	a := alert.Alert{
		Source:         "generic",
		ID:             v.one(genericID),
		Time:           t,
		Title:          title,
		Description:    v.one(genericDescription),
		Severity:       sev,
		SourceSeverity: srcSev,
		Rule: alert.Rule{
			ID:       v.one(genericRuleID),
			Name:     v.one(genericRuleName),
			Tags:     appendUnique([]string{g.tag}, v[genericTags]...),
			Category: v.one(genericCategory),
		},
		Text: appendUnique(nil, v[genericText]...),
	}
	if a.ID == "" {
		a.ID = alert.ContentID("generic", raw)
	}
	if a.Rule.Name == "" {
		a.Rule.Name = title
	}
	for _, id := range v[genericTechniques] {
		if isTechniqueID(id) {
			a.Techniques = appendUnique(a.Techniques, id)
		}
	}
	g.entities(v, &a.Entities)
	return a, nil
}

func (g *generic) entities(v *genericValues, e *alert.Entities) {
	if h := (alert.Host{Name: v.one(genericHost), IP: v.one(genericHostIP)}); h != (alert.Host{}) {
		if h.IP == "" && isIP(h.Name) {
			h.Name, h.IP = "", h.Name
		}
		e.Hosts = []alert.Host{h}
	}
	for _, u := range v[genericUser] {
		e.Users = appendUser(e.Users, u)
	}
	if ep, ok := endpoint(v.one(genericSrcIP), v.one(genericSrcPort)); ok {
		e.Src = []alert.Endpoint{ep}
	}
	if ep, ok := endpoint(v.one(genericDstIP), v.one(genericDstPort)); ok {
		e.Dst = []alert.Endpoint{ep}
	}
	if p := (alert.Process{Name: v.one(genericProcess), CommandLine: v.one(genericCommandLine)}); p != (alert.Process{}) {
		e.Processes = []alert.Process{p}
	}
	f := alert.File{Name: v.one(genericFileName), Path: v.one(genericFilePath)}
	for _, h := range v[genericFileHash] {
		hashFile(&f, h)
	}
	if f != (alert.File{}) {
		e.Files = []alert.File{f}
	}
	e.URLs = appendUnique(e.URLs, v[genericURL]...)
	for _, d := range v[genericDomain] {
		e.Domains = appendDomain(e.Domains, d)
	}
	if from, subj := v.one(genericEmailFrom), v.one(genericEmailSubject); from != "" || subj != "" || len(v[genericEmailTo]) > 0 {
		e.Email = &alert.Email{From: from, To: v[genericEmailTo], Subject: subj}
	}
}
