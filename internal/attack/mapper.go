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
	// words finds every rule keyword and exclude string in one pass;
	// prefixes finds every rule prefix.
	words    *substrings
	prefixes *substrings
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
	words, prefixes, err := indexKeywords(rules)
	if err != nil {
		return nil, err
	}
	return &Mapper{kb: kb, rules: rules, words: newSubstrings(words), prefixes: newSubstrings(prefixes)}, nil
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
	var buf [8]uint64
	in := m.newMatchInput(a, &buf)
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

// matchInput is an alert's matchable fields and the keywords found in its
// rule name and title. Nothing is lower-cased: keyword matching folds ASCII
// case and the other comparisons use strings.EqualFold.
type matchInput struct {
	a *alert.Alert
	// found holds the keywords found anywhere in the rule name or title,
	// prefixed the prefixes they start with (also after Wazuh's wrapper).
	found, prefixed bitset
}

func (m *Mapper) newMatchInput(a *alert.Alert, buf *[8]uint64) matchInput {
	in := matchInput{a: a}
	in.found = newBitset(m.words.n, buf[:4])
	in.prefixed = newBitset(m.prefixes.n, buf[4:])
	texts := [2]string{a.Rule.Name, a.Title}
	if a.Title == a.Rule.Name {
		texts[1] = ""
	}
	for _, t := range texts {
		if t == "" {
			continue
		}
		m.words.scan(t, in.found)
		m.prefixes.scanPrefix(t, in.prefixed)
		if hasPrefixFold(t, suricataWrapper) {
			m.prefixes.scanPrefix(t[len(suricataWrapper):], in.prefixed)
		}
	}
	return in
}

// newBitset returns a bitset for n IDs, in buf when it is large enough.
func newBitset(n int, buf []uint64) bitset {
	if words := (n + 63) / 64; words <= len(buf) {
		return buf[:words]
	}
	return make(bitset, (n+63)/64)
}

func (r *rule) matches(in *matchInput) bool {
	a := in.a
	if r.source != "" && !strings.EqualFold(r.source, a.Source) {
		return false
	}
	if len(r.ruleIDs) > 0 && !slices.Contains(r.ruleIDs, a.Rule.ID) {
		return false
	}
	if len(r.categories) > 0 && !containsFold(r.categories, a.Rule.Category) {
		return false
	}
	if len(r.tags) > 0 && !anyFold(r.tags, a.Rule.Tags) {
		return false
	}
	if len(r.prefixIDs) > 0 && !in.prefixed.any(r.prefixIDs) {
		return false
	}
	if len(r.keywordIDs) > 0 && !in.found.any(r.keywordIDs) {
		return false
	}
	return !in.found.any(r.excludeIDs)
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func anyFold(want, have []string) bool {
	for _, h := range have {
		if containsFold(want, h) {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
