package attack

import (
	"fmt"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/content"
)

// Origins of a mapped technique.
const (
	// OriginSource marks a technique the alert's source named itself.
	OriginSource = "source"
	// OriginContent marks a technique a Winnow content mapping matched.
	OriginContent = "content"
)

// suricataWrapper is how Wazuh rule 86601 titles a Suricata alert it
// forwards; prefixes also match the signature after it.
const suricataWrapper = "suricata: alert - "

// Mapper maps alerts to ATT&CK techniques. It is immutable and safe for
// concurrent use.
type Mapper struct {
	kb    *KB
	rules []rule
}

// NewMapper compiles YAML content mappings (the format of
// content/attack_mappings.yaml) against kb. Decoding is strict and every
// technique must be a live ID in kb.
func NewMapper(kb *KB, mappings []byte) (*Mapper, error) {
	f, err := decodeMappings(mappings)
	if err != nil {
		return nil, err
	}
	rules, err := compileMappings(kb, f)
	if err != nil {
		return nil, err
	}
	return &Mapper{kb: kb, rules: rules}, nil
}

// DefaultMapper returns a Mapper over the embedded knowledge base and the
// shipped content/attack_mappings.yaml.
func DefaultMapper() (*Mapper, error) {
	data, err := content.FS.ReadFile("attack_mappings.yaml")
	if err != nil {
		return nil, fmt.Errorf("read attack mappings: %w", err)
	}
	return NewMapper(Default(), data)
}

// hit is one mapped technique before conversion to the output form.
type hit struct {
	t      *technique
	id     string // only for IDs the knowledge base does not know
	origin string
}

// Map returns the distinct techniques a maps to, sorted by the kill-chain
// order of their first tactic and then by ID. Techniques the source named
// (a.Techniques and Sigma-style "attack.tNNNN" rule tags) come first in
// precedence and carry Origin "source"; techniques only content mappings
// found carry Origin "content"; a content technique is dropped when one of
// its sub-techniques also mapped. Revoked IDs resolve to their replacement; a
// well-formed ID the knowledge base does not know is kept with no name or
// tactics and sorts last. Map does not modify a.
func (m *Mapper) Map(a *alert.Alert) []alert.Technique {
	var hits []hit
	add := func(h hit) {
		for _, x := range hits {
			if x.t == h.t && x.id == h.id {
				return
			}
		}
		hits = append(hits, h)
	}
	for _, id := range a.Techniques {
		m.addSourceID(id, add)
	}
	for _, tag := range a.Rule.Tags {
		if len(tag) > len("attack.t") && strings.EqualFold(tag[:len("attack.t")], "attack.t") {
			m.addSourceID(tag[len("attack."):], add)
		}
	}
	in := newMatchInput(a)
	for i := range m.rules {
		r := &m.rules[i]
		if r.matches(&in) {
			for _, t := range r.techniques {
				add(hit{t: t, origin: OriginContent})
			}
		}
	}
	hits = dropCoveredParents(hits)
	if len(hits) == 0 {
		return nil
	}
	unknown := len(m.kb.tactics)
	order := func(h hit) int {
		if h.t == nil {
			return unknown
		}
		return h.t.order
	}
	slices.SortFunc(hits, func(x, y hit) int {
		if c := order(x) - order(y); c != 0 {
			return c
		}
		return strings.Compare(x.ID(), y.ID())
	})
	out := make([]alert.Technique, len(hits))
	for i, h := range hits {
		if h.t == nil {
			out[i] = alert.Technique{ID: h.id, Tactics: []string{}, Origin: h.origin}
			continue
		}
		out[i] = alert.Technique{ID: h.t.ID, Name: h.t.Name, Tactics: slices.Clone(h.t.Tactics), Origin: h.origin}
	}
	return out
}

// dropCoveredParents removes content hits for a technique when one of its
// sub-techniques was also mapped: the most specific technique wins. Source
// hits are kept whatever they are, because the vendor said so.
func dropCoveredParents(hits []hit) []hit {
	var parents []string
	for _, h := range hits {
		if h.t != nil && h.t.Parent != "" {
			parents = append(parents, h.t.Parent)
		}
	}
	if len(parents) == 0 {
		return hits
	}
	return slices.DeleteFunc(hits, func(h hit) bool {
		return h.origin == OriginContent && h.t != nil && slices.Contains(parents, h.t.ID)
	})
}

// ID is the technique ID of h, known or not.
func (h hit) ID() string {
	if h.t != nil {
		return h.t.ID
	}
	return h.id
}

// addSourceID adds a vendor-named technique ID when it is well formed.
func (m *Mapper) addSourceID(raw string, add func(hit)) {
	id := strings.ToUpper(strings.TrimSpace(raw))
	if !validTechniqueID(id) {
		return
	}
	if t, ok := m.kb.lookup(id); ok {
		add(hit{t: t, origin: OriginSource})
		return
	}
	add(hit{id: id, origin: OriginSource})
}

// validTechniqueID reports whether id looks like T1234 or T1234.567.
func validTechniqueID(id string) bool {
	if len(id) != 5 && len(id) != 9 {
		return false
	}
	if id[0] != 'T' || !digits(id[1:5]) {
		return false
	}
	return len(id) == 5 || (id[5] == '.' && digits(id[6:]))
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// matchInput is an alert's matchable fields, lower-cased once.
type matchInput struct {
	source   string
	ruleID   string
	texts    [2]string // rule name, title ("" when equal to the name)
	category string
	tags     []string
}

func newMatchInput(a *alert.Alert) matchInput {
	in := matchInput{
		source:   strings.ToLower(a.Source),
		ruleID:   a.Rule.ID,
		category: strings.ToLower(a.Rule.Category),
	}
	in.texts[0] = strings.ToLower(a.Rule.Name)
	if a.Title != a.Rule.Name {
		in.texts[1] = strings.ToLower(a.Title)
	}
	if len(a.Rule.Tags) > 0 {
		in.tags = make([]string, len(a.Rule.Tags))
		for i, t := range a.Rule.Tags {
			in.tags[i] = strings.ToLower(t)
		}
	}
	return in
}

func (r *rule) matches(in *matchInput) bool {
	if r.source != "" && r.source != in.source {
		return false
	}
	if len(r.ruleIDs) > 0 && !slices.Contains(r.ruleIDs, in.ruleID) {
		return false
	}
	if len(r.categories) > 0 && !slices.Contains(r.categories, in.category) {
		return false
	}
	if len(r.tags) > 0 && !anyIn(r.tags, in.tags) {
		return false
	}
	if len(r.prefixes) > 0 && !in.hasPrefix(r.prefixes) {
		return false
	}
	if len(r.keywords) > 0 && !in.contains(r.keywords) {
		return false
	}
	return len(r.exclude) == 0 || !in.contains(r.exclude)
}

func anyIn(want, have []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

func (in *matchInput) contains(subs []string) bool {
	for _, text := range in.texts {
		if text == "" {
			continue
		}
		for _, s := range subs {
			if strings.Contains(text, s) {
				return true
			}
		}
	}
	return false
}

func (in *matchInput) hasPrefix(prefixes []string) bool {
	for _, text := range in.texts {
		if text == "" {
			continue
		}
		text = strings.TrimPrefix(text, suricataWrapper)
		for _, p := range prefixes {
			if strings.HasPrefix(text, p) {
				return true
			}
		}
	}
	return false
}
