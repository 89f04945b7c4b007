package attack

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"
)

// mappingFile is the schema of content/attack_mappings.yaml.
type mappingFile struct {
	// Version is the content format version; only 1 exists.
	Version  int           `yaml:"version"`
	Mappings []mappingSpec `yaml:"mappings"`
}

// mappingSpec is one content mapping. Every condition that is set must hold
// (AND); within one condition any listed value may match (OR). All string
// comparisons are case-insensitive.
type mappingSpec struct {
	// ID names the mapping in tests and explanations; unique.
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	// Source limits the mapping to alerts from one source ("wazuh",
	// "suricata"); empty or "any" matches every source.
	Source string `yaml:"source"`
	// RuleIDs match Alert.Rule.ID exactly.
	RuleIDs []string `yaml:"rule_ids"`
	// Keywords are substrings of the rule name or the alert title.
	Keywords []string `yaml:"keywords"`
	// Prefixes start the rule name or title ("ET SCAN"), also after Wazuh's
	// "Suricata: Alert - " wrapper.
	Prefixes []string `yaml:"prefixes"`
	// Categories equal Alert.Rule.Category.
	Categories []string `yaml:"categories"`
	// Tags equal one of Alert.Rule.Tags (Wazuh groups, Sigma tags).
	Tags []string `yaml:"tags"`
	// Exclude vetoes the mapping when any of these substrings occurs in the
	// rule name or title.
	Exclude []string `yaml:"exclude"`
	// Techniques are the live ATT&CK IDs the mapping yields.
	Techniques []string `yaml:"techniques"`
}

// rule is a compiled mapping: lower-cased, validated, techniques resolved.
type rule struct {
	id         string
	source     string
	ruleIDs    []string
	keywords   []string
	prefixes   []string
	categories []string
	tags       []string
	exclude    []string
	techniques []*technique
	// keywordIDs and excludeIDs index keywords and exclude in the Mapper's
	// substring automaton, prefixIDs prefixes in its prefix automaton.
	keywordIDs []uint16
	excludeIDs []uint16
	prefixIDs  []uint16
}

// decodeMappings decodes mapping content strictly: unknown fields, a missing
// document and trailing documents are errors.
func decodeMappings(data []byte) (*mappingFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f mappingFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("decode attack mappings: empty document")
		}
		return nil, fmt.Errorf("decode attack mappings: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode attack mappings: more than one YAML document")
	}
	return &f, nil
}

// compileMappings validates f against kb and compiles it, reporting every
// problem at once.
func compileMappings(kb *KB, f *mappingFile) ([]rule, error) {
	var errs []error
	if f.Version != 1 {
		errs = append(errs, fmt.Errorf("version %d, want 1", f.Version))
	}
	seen := map[string]bool{}
	rules := make([]rule, 0, len(f.Mappings))
	for i, s := range f.Mappings {
		where := fmt.Sprintf("mapping %d (%s)", i, s.ID)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf(where+": "+format, args...))
		}
		switch {
		case s.ID == "":
			bad("id is required")
		case seen[s.ID]:
			bad("duplicate id")
		}
		seen[s.ID] = true
		r := rule{id: s.ID, source: strings.ToLower(strings.TrimSpace(s.Source))}
		if r.source == "any" {
			r.source = ""
		}
		var err error
		if r.ruleIDs, err = cleanList(s.RuleIDs, false); err != nil {
			bad("rule_ids: %v", err)
		}
		if r.keywords, err = cleanList(s.Keywords, true); err != nil {
			bad("keywords: %v", err)
		}
		if r.prefixes, err = cleanList(s.Prefixes, true); err != nil {
			bad("prefixes: %v", err)
		}
		if r.categories, err = cleanList(s.Categories, true); err != nil {
			bad("categories: %v", err)
		}
		if r.tags, err = cleanList(s.Tags, true); err != nil {
			bad("tags: %v", err)
		}
		if r.exclude, err = cleanList(s.Exclude, true); err != nil {
			bad("exclude: %v", err)
		}
		if len(r.ruleIDs)+len(r.keywords)+len(r.prefixes)+len(r.categories)+len(r.tags) == 0 {
			bad("no condition: set rule_ids, keywords, prefixes, categories or tags")
		}
		if len(s.Techniques) == 0 {
			bad("techniques are required")
		}
		for _, id := range s.Techniques {
			t, ok := kb.techniques[id]
			if !ok {
				if to, revoked := kb.revoked[id]; revoked {
					bad("technique %s is revoked: use %s", id, to)
				} else {
					bad("technique %q is not in the ATT&CK knowledge base", id)
				}
				continue
			}
			r.techniques = append(r.techniques, t)
		}
		rules = append(rules, r)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid attack mappings: %w", errors.Join(errs...))
	}
	return rules, nil
}

// indexKeywords gives every distinct keyword, exclude string and prefix of
// rules an ID, records the IDs on the rules and returns the substrings and
// the prefixes by ID.
func indexKeywords(rules []rule) (words, prefixes []string, err error) {
	wordIDs, prefixIDs := map[string]uint16{}, map[string]uint16{}
	index := func(list []string, ids map[string]uint16, all *[]string) []uint16 {
		var out []uint16
		for _, k := range list {
			id, ok := ids[k]
			if !ok {
				if len(*all) > math.MaxUint16 {
					err = errors.New("index attack mappings: too many keywords")
					return nil
				}
				id = uint16(len(*all))
				ids[k] = id
				*all = append(*all, k)
			}
			out = append(out, id)
		}
		return out
	}
	for i := range rules {
		r := &rules[i]
		r.keywordIDs = index(r.keywords, wordIDs, &words)
		r.excludeIDs = index(r.exclude, wordIDs, &words)
		r.prefixIDs = index(r.prefixes, prefixIDs, &prefixes)
	}
	if err != nil {
		return nil, nil, err
	}
	return words, prefixes, nil
}

// cleanList trims and optionally lower-cases values; empty values are errors
// because an empty substring would match everything.
func cleanList(in []string, lower bool) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(in))
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, errors.New("empty value")
		}
		if lower {
			v = strings.ToLower(v)
		}
		out = append(out, v)
	}
	return out, nil
}
