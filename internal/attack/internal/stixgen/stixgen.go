package stixgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Data is the knowledge-base file format. Field order is part of the format:
// it is what makes the output byte-stable.
type Data struct {
	// Domain is the ATT&CK domain, "enterprise-attack".
	Domain string `json:"domain"`
	// Modified is the newest modified timestamp of any kept object, a
	// provenance marker for the bundle the file came from.
	Modified string `json:"modified"`
	// License is MITRE's licence and copyright notice, reproduced as required.
	License string `json:"license"`
	// Tactics are in the enterprise matrix's kill-chain order.
	Tactics []Tactic `json:"tactics"`
	// Groups are intrusion-set names, sorted; techniques refer to them by index.
	Groups []string `json:"groups"`
	// Techniques are techniques and sub-techniques sorted by ID.
	Techniques []Technique `json:"techniques"`
	// Revoked maps a revoked technique ID to the live ID that replaced it.
	Revoked map[string]string `json:"revoked"`
}

// Tactic is one ATT&CK tactic.
type Tactic struct {
	ID        string `json:"id"`
	ShortName string `json:"short"`
	Name      string `json:"name"`
}

// Technique is one technique or sub-technique.
type Technique struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Tactics []string `json:"tactics"`
	// Groups are indexes into Data.Groups of the intrusion sets that use the
	// technique directly, ascending.
	Groups []int `json:"groups,omitempty"`
}

type bundle struct {
	Type    string   `json:"type"`
	Objects []object `json:"objects"`
}

type object struct {
	Type               string   `json:"type"`
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Modified           string   `json:"modified"`
	Revoked            bool     `json:"revoked"`
	Deprecated         bool     `json:"x_mitre_deprecated"`
	ShortName          string   `json:"x_mitre_shortname"`
	TacticRefs         []string `json:"tactic_refs"`
	RelationshipType   string   `json:"relationship_type"`
	SourceRef          string   `json:"source_ref"`
	TargetRef          string   `json:"target_ref"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChainPhases []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
}

func (o *object) attackID() string {
	for _, r := range o.ExternalReferences {
		if r.SourceName == "mitre-attack" {
			return r.ExternalID
		}
	}
	return ""
}

func (o *object) live() bool { return !o.Revoked && !o.Deprecated }

var techniqueID = regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)

// Build reads a STIX 2.0 bundle and returns the knowledge base it describes.
// license is the notice text to carry along.
func Build(r io.Reader, license string) (*Data, error) {
	var b bundle
	if err := json.NewDecoder(r).Decode(&b); err != nil {
		return nil, fmt.Errorf("decode stix bundle: %w", err)
	}
	if b.Type != "bundle" {
		return nil, fmt.Errorf("decode stix bundle: type %q, want bundle", b.Type)
	}
	byRef := make(map[string]*object, len(b.Objects))
	var matrix *object
	d := &Data{Domain: "enterprise-attack", License: license, Revoked: map[string]string{}}
	for i := range b.Objects {
		o := &b.Objects[i]
		byRef[o.ID] = o
		if o.Type == "x-mitre-matrix" && o.live() {
			if matrix != nil {
				return nil, errors.New("build knowledge base: more than one matrix in bundle")
			}
			matrix = o
		}
	}
	if matrix == nil {
		return nil, errors.New("build knowledge base: no x-mitre-matrix in bundle")
	}
	keep := func(o *object) {
		if o.Modified > d.Modified {
			d.Modified = o.Modified
		}
	}
	keep(matrix)

	order := map[string]int{}
	for _, ref := range matrix.TacticRefs {
		t, ok := byRef[ref]
		if !ok || t.Type != "x-mitre-tactic" {
			return nil, fmt.Errorf("build knowledge base: matrix tactic %s not in bundle", ref)
		}
		if !t.live() {
			continue
		}
		keep(t)
		order[t.ShortName] = len(d.Tactics)
		d.Tactics = append(d.Tactics, Tactic{ID: t.attackID(), ShortName: t.ShortName, Name: t.Name})
	}

	techByRef := map[string]*Technique{}
	for i := range b.Objects {
		o := &b.Objects[i]
		if o.Type != "attack-pattern" || !o.live() {
			continue
		}
		id := o.attackID()
		if !techniqueID.MatchString(id) {
			return nil, fmt.Errorf("build knowledge base: attack-pattern %s has technique ID %q", o.ID, id)
		}
		keep(o)
		t := &Technique{ID: id, Name: o.Name}
		for _, p := range o.KillChainPhases {
			if p.KillChainName != "mitre-attack" {
				continue
			}
			if _, ok := order[p.PhaseName]; !ok {
				return nil, fmt.Errorf("build knowledge base: technique %s: unknown tactic %q", id, p.PhaseName)
			}
			if !slices.Contains(t.Tactics, p.PhaseName) {
				t.Tactics = append(t.Tactics, p.PhaseName)
			}
		}
		sort.Slice(t.Tactics, func(i, j int) bool { return order[t.Tactics[i]] < order[t.Tactics[j]] })
		techByRef[o.ID] = t
	}

	groupNames := map[string]string{}
	for i := range b.Objects {
		o := &b.Objects[i]
		if o.Type == "intrusion-set" && o.live() {
			keep(o)
			groupNames[o.ID] = o.Name
		}
	}
	names := make([]string, 0, len(groupNames))
	for _, n := range groupNames {
		names = append(names, n)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	d.Groups = names
	groupIndex := map[string]int{}
	for i, n := range names {
		groupIndex[n] = i
	}

	revokedBy := map[string]string{}
	for i := range b.Objects {
		o := &b.Objects[i]
		if o.Type != "relationship" {
			continue
		}
		switch o.RelationshipType {
		case "revoked-by":
			revokedBy[o.SourceRef] = o.TargetRef
		case "uses":
			if o.Revoked || o.Deprecated {
				continue
			}
			name, ok := groupNames[o.SourceRef]
			t, ok2 := techByRef[o.TargetRef]
			if !ok || !ok2 {
				continue
			}
			if gi := groupIndex[name]; !slices.Contains(t.Groups, gi) {
				t.Groups = append(t.Groups, gi)
			}
		}
	}
	for _, t := range techByRef {
		slices.Sort(t.Groups)
		d.Techniques = append(d.Techniques, *t)
	}
	slices.SortFunc(d.Techniques, func(a, b Technique) int { return strings.Compare(a.ID, b.ID) })

	// A revoked technique may have been revoked by one that was later revoked
	// in turn: follow the chain to a live technique, or drop the entry.
	for ref, target := range revokedBy {
		o := byRef[ref]
		if o == nil || o.Type != "attack-pattern" || !o.Revoked {
			continue
		}
		id := o.attackID()
		for range 16 {
			if t, ok := techByRef[target]; ok {
				if id != "" && id != t.ID {
					d.Revoked[id] = t.ID
				}
				break
			}
			next, ok := revokedBy[target]
			if !ok {
				break
			}
			target = next
		}
	}
	return d, nil
}

// Encode writes d in its canonical form: indented JSON with one technique per
// line, so that regenerated data diffs readably.
func Encode(w io.Writer, d *Data) error {
	var buf bytes.Buffer
	line := func(v any, sep string) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.WriteString("  ")
		buf.Write(b)
		buf.WriteString(sep)
		return nil
	}
	head, err := json.Marshal(struct {
		Domain   string `json:"domain"`
		Modified string `json:"modified"`
		License  string `json:"license"`
	}{d.Domain, d.Modified, d.License})
	if err != nil {
		return fmt.Errorf("encode knowledge base: %w", err)
	}
	buf.Write(head[:len(head)-1])
	buf.WriteString(",\n\"tactics\": [\n")
	for i, t := range d.Tactics {
		if err := line(t, sep(i, len(d.Tactics))); err != nil {
			return fmt.Errorf("encode knowledge base: %w", err)
		}
	}
	buf.WriteString("],\n\"groups\": [\n")
	for i, g := range d.Groups {
		if err := line(g, sep(i, len(d.Groups))); err != nil {
			return fmt.Errorf("encode knowledge base: %w", err)
		}
	}
	buf.WriteString("],\n\"techniques\": [\n")
	for i, t := range d.Techniques {
		if err := line(t, sep(i, len(d.Techniques))); err != nil {
			return fmt.Errorf("encode knowledge base: %w", err)
		}
	}
	buf.WriteString("],\n\"revoked\": ")
	rev, err := json.Marshal(d.Revoked) // map keys are sorted by encoding/json
	if err != nil {
		return fmt.Errorf("encode knowledge base: %w", err)
	}
	buf.Write(rev)
	buf.WriteString("\n}\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write knowledge base: %w", err)
	}
	return nil
}

func sep(i, n int) string {
	if i == n-1 {
		return "\n"
	}
	return ",\n"
}

// Generate reads a gzip-compressed STIX bundle from bundle and writes the
// canonical knowledge-base file to w.
func Generate(w io.Writer, bundle io.Reader, license string) error {
	zr, err := gzip.NewReader(bundle)
	if err != nil {
		return fmt.Errorf("open stix bundle: %w", err)
	}
	defer zr.Close()
	d, err := Build(zr, license)
	if err != nil {
		return err
	}
	return Encode(w, d)
}
