package attack

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/winnow-soc/winnow/internal/attack/internal/stixgen"
)

//go:embed attack_data.json
var attackData []byte

// Technique is an ATT&CK technique or sub-technique as the knowledge base
// knows it.
type Technique struct {
	// ID is the ATT&CK ID, "T1059" or "T1059.001".
	ID   string
	Name string
	// Tactics are tactic short names in kill-chain order.
	Tactics []string
	// Parent is the parent technique's ID for a sub-technique, else "".
	Parent string
	// SubTechniques are the IDs of a technique's sub-techniques, sorted.
	SubTechniques []string
	// Groups is how many intrusion sets ATT&CK records as using exactly this
	// technique; GroupNames names them, sorted.
	Groups     int
	GroupNames []string
	// GroupsRollup counts distinct intrusion sets using the technique or any
	// of its sub-techniques; for a sub-technique it equals Groups.
	GroupsRollup int
}

// Tactic is an ATT&CK tactic; Order is its 0-based kill-chain position in
// the enterprise matrix (reconnaissance is 0, impact 13).
type Tactic struct {
	ID        string
	ShortName string
	Name      string
	Order     int
}

// KB is an ATT&CK Enterprise knowledge base. It is immutable after
// construction and safe for concurrent use; values it returns are copies.
type KB struct {
	techniques map[string]*technique
	tactics    []Tactic
	tacticIdx  map[string]int
	groups     int
	revoked    map[string]string
	modified   string
}

// technique is the internal form of a Technique, with its sort key.
type technique struct {
	Technique
	// order is the kill-chain position of the first tactic, for sorting.
	order int
}

// Default returns the knowledge base embedded in the binary, parsed once.
// The embedded data is tested, so a parse failure is a build defect and
// panics.
func Default() *KB { return defaultKB() }

var defaultKB = sync.OnceValue(func() *KB {
	kb, err := ParseKB(attackData)
	if err != nil {
		panic(fmt.Sprintf("attack: embedded knowledge base: %v", err))
	}
	return kb
})

// ParseKB builds a knowledge base from data in the format package attack
// embeds (attack_data.json, written by go generate).
func ParseKB(data []byte) (*KB, error) {
	var d stixgen.Data
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("parse knowledge base: %w", err)
	}
	kb := &KB{
		techniques: make(map[string]*technique, len(d.Techniques)),
		tacticIdx:  make(map[string]int, len(d.Tactics)),
		groups:     len(d.Groups),
		revoked:    d.Revoked,
		modified:   d.Modified,
	}
	for i, t := range d.Tactics {
		if _, dup := kb.tacticIdx[t.ShortName]; dup {
			return nil, fmt.Errorf("parse knowledge base: duplicate tactic %q", t.ShortName)
		}
		kb.tacticIdx[t.ShortName] = i
		kb.tactics = append(kb.tactics, Tactic{ID: t.ID, ShortName: t.ShortName, Name: t.Name, Order: i})
	}
	for _, t := range d.Techniques {
		if _, dup := kb.techniques[t.ID]; dup {
			return nil, fmt.Errorf("parse knowledge base: duplicate technique %s", t.ID)
		}
		nt := &technique{Technique: Technique{ID: t.ID, Name: t.Name, Tactics: t.Tactics, Groups: len(t.Groups)}, order: len(kb.tactics)}
		for _, tac := range t.Tactics {
			o, ok := kb.tacticIdx[tac]
			if !ok {
				return nil, fmt.Errorf("parse knowledge base: technique %s: unknown tactic %q", t.ID, tac)
			}
			nt.order = min(nt.order, o)
		}
		for _, g := range t.Groups {
			if g < 0 || g >= len(d.Groups) {
				return nil, fmt.Errorf("parse knowledge base: technique %s: group index %d out of range", t.ID, g)
			}
			nt.GroupNames = append(nt.GroupNames, d.Groups[g])
		}
		slices.Sort(nt.GroupNames)
		if parent, _, ok := strings.Cut(t.ID, "."); ok {
			nt.Parent = parent
		}
		kb.techniques[t.ID] = nt
	}
	rollup := map[string]map[string]bool{}
	for id, t := range kb.techniques {
		if t.Parent == "" {
			continue
		}
		p, ok := kb.techniques[t.Parent]
		if !ok {
			return nil, fmt.Errorf("parse knowledge base: sub-technique %s without parent", id)
		}
		p.SubTechniques = append(p.SubTechniques, id)
		if rollup[p.ID] == nil {
			rollup[p.ID] = map[string]bool{}
		}
		for _, g := range t.GroupNames {
			rollup[p.ID][g] = true
		}
	}
	for _, t := range kb.techniques {
		slices.Sort(t.SubTechniques)
		set := rollup[t.ID]
		for _, g := range t.GroupNames {
			if set == nil {
				break
			}
			set[g] = true
		}
		t.GroupsRollup = max(t.Groups, len(set))
	}
	for old, id := range kb.revoked {
		if _, ok := kb.techniques[id]; !ok {
			return nil, fmt.Errorf("parse knowledge base: revoked %s points to unknown %s", old, id)
		}
	}
	return kb, nil
}

// Technique returns the technique or sub-technique with the given ID
// ("T1059.001"). A revoked ID resolves to the technique that replaced it,
// whose ID is then the one returned.
func (k *KB) Technique(id string) (Technique, bool) {
	t, ok := k.lookup(id)
	if !ok {
		return Technique{}, false
	}
	c := t.Technique
	c.Tactics = slices.Clone(c.Tactics)
	c.SubTechniques = slices.Clone(c.SubTechniques)
	c.GroupNames = slices.Clone(c.GroupNames)
	return c, true
}

func (k *KB) lookup(id string) (*technique, bool) {
	if t, ok := k.techniques[id]; ok {
		return t, true
	}
	if to, ok := k.revoked[id]; ok {
		t, ok := k.techniques[to]
		return t, ok
	}
	return nil, false
}

// Tactic returns the tactic with the given short name ("credential-access").
func (k *KB) Tactic(shortName string) (Tactic, bool) {
	i, ok := k.tacticIdx[shortName]
	if !ok {
		return Tactic{}, false
	}
	return k.tactics[i], true
}

// Tactics returns all tactics in kill-chain order.
func (k *KB) Tactics() []Tactic { return slices.Clone(k.tactics) }

// GroupCount returns how many live intrusion sets the knowledge base holds.
func (k *KB) GroupCount() int { return k.groups }

// TechniqueCount returns how many live techniques and sub-techniques the
// knowledge base holds.
func (k *KB) TechniqueCount() int { return len(k.techniques) }

// Modified returns the newest modification timestamp in the source bundle,
// which identifies the ATT&CK release the data came from.
func (k *KB) Modified() string { return k.modified }
