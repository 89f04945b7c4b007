package score

import (
	"fmt"
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/content"
)

// Categories returns the alert categories the weights adapt to. Every one
// must appear in weights.yaml.
func Categories() []string {
	return []string{
		"brute_force", "malware", "phishing", "scanning",
		"lateral_movement", "exfiltration", "web_attack", "other",
	}
}

// Observable kinds that reputation weights are given for.
const (
	kindIP = iota
	kindDomain
	kindURL
	kindHash
	kindEmail
	kindOther
	numKinds
)

// maxWeight bounds every additive weight so a typo cannot dominate a score.
const maxWeight = 100

// Weights are the parsed, validated content of weights.yaml. A Weights is
// immutable after parsing and safe for concurrent use.
type Weights struct {
	version         string
	base            float64
	severity        [6]float64 // by alert.Severity.Rank()
	malicious       float64
	suspicious      float64
	reliability     [6]float64 // A-F
	unknownRel      float64
	unknownConf     float64
	corroboration   float64
	obsDecay        float64
	benignConflict  float64
	reputationCap   float64
	benignPer       float64
	benignCap       float64
	benignIgnore    []string
	asset           map[string]float64
	userVIP         float64
	userExec        float64
	userAdmin       float64
	userService     float64
	userCap         float64
	stages          []stage
	prevalence      []tier
	offHours        float64
	categories      []category
	categoryByName  map[string]*category
	defaultCategory *category
}

type stage struct {
	tactic string
	weight float64
}

type tier struct {
	minGroups int
	weight    float64
}

type category struct {
	name          string
	techniques    []string
	keywords      [][]byte // lower-cased
	maliciousHash bool
	kind          [numKinds]float64
}

// file mirrors weights.yaml; it is decoded strictly.
type file struct {
	Version        string             `yaml:"version"`
	Base           float64            `yaml:"base"`
	SourceSeverity map[string]float64 `yaml:"source_severity"`
	Reputation     struct {
		Malicious          float64            `yaml:"malicious"`
		Suspicious         float64            `yaml:"suspicious"`
		Reliability        map[string]float64 `yaml:"reliability"`
		UnknownReliability float64            `yaml:"unknown_reliability"`
		UnknownConfidence  float64            `yaml:"unknown_confidence"`
		Corroboration      float64            `yaml:"corroboration"`
		ObservableDecay    float64            `yaml:"observable_decay"`
		BenignConflict     float64            `yaml:"benign_conflict"`
		Cap                float64            `yaml:"cap"`
	} `yaml:"reputation"`
	KnownBenign struct {
		PerObservable float64  `yaml:"per_observable"`
		Cap           float64  `yaml:"cap"`
		IgnoreRoles   []string `yaml:"ignore_roles"`
	} `yaml:"known_benign"`
	AssetCriticality map[string]float64 `yaml:"asset_criticality"`
	UserCriticality  struct {
		VIP       float64 `yaml:"vip"`
		Executive float64 `yaml:"executive"`
		Admin     float64 `yaml:"admin"`
		Service   float64 `yaml:"service"`
		Cap       float64 `yaml:"cap"`
	} `yaml:"user_criticality"`
	AttackStage []struct {
		Tactic string  `yaml:"tactic"`
		Weight float64 `yaml:"weight"`
	} `yaml:"attack_stage"`
	TechniquePrevalence []struct {
		MinGroups int     `yaml:"min_groups"`
		Weight    float64 `yaml:"weight"`
	} `yaml:"technique_prevalence"`
	OffHours   float64 `yaml:"off_hours"`
	Categories []struct {
		Name          string             `yaml:"name"`
		Techniques    []string           `yaml:"techniques"`
		Keywords      []string           `yaml:"keywords"`
		MaliciousHash bool               `yaml:"malicious_hash"`
		Reputation    map[string]float64 `yaml:"reputation"`
	} `yaml:"categories"`
}

// DefaultWeights parses the weights shipped in content/weights.yaml.
func DefaultWeights() (*Weights, error) {
	b, err := content.FS.ReadFile("weights.yaml")
	if err != nil {
		return nil, fmt.Errorf("read shipped weights: %w", err)
	}
	return ParseWeights(b)
}

// ParseWeights decodes weights.yaml strictly (unknown fields are errors) and
// validates it, reporting every problem at once.
func ParseWeights(b []byte) (*Weights, error) {
	var f file
	if err := content.DecodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("decode weights: %w", err)
	}
	w, err := build(&f)
	if err != nil {
		return nil, fmt.Errorf("validate weights: %w", err)
	}
	return w, nil
}

// Version is the content version of the weights, part of the output contract.
func (w *Weights) Version() string { return w.version }

func build(f *file) (*Weights, error) {
	c := &content.Checker{}
	w := &Weights{version: f.Version}
	if strings.TrimSpace(f.Version) == "" {
		c.Errorf("version: missing")
	}
	w.base = c.Num("base", f.Base, -maxWeight, maxWeight)

	sevs := []string{"info", "low", "medium", "high", "critical"}
	for i, s := range sevs {
		v, ok := f.SourceSeverity[s]
		if !ok {
			c.Errorf("source_severity.%s: missing", s)
		}
		w.severity[i+1] = c.Num("source_severity."+s, v, -maxWeight, maxWeight)
	}
	unknownKeys(c, "source_severity", f.SourceSeverity, sevs)

	r := &f.Reputation
	w.malicious = c.Num("reputation.malicious", r.Malicious, 0, maxWeight)
	w.suspicious = c.Num("reputation.suspicious", r.Suspicious, 0, maxWeight)
	if w.suspicious > w.malicious {
		c.Errorf("reputation: suspicious %v weighs more than malicious %v", w.suspicious, w.malicious)
	}
	letters := []string{"A", "B", "C", "D", "E", "F"}
	for i, l := range letters {
		v, ok := r.Reliability[l]
		if !ok {
			c.Errorf("reputation.reliability.%s: missing", l)
		}
		w.reliability[i] = c.Num("reputation.reliability."+l, v, 0, 1)
	}
	unknownKeys(c, "reputation.reliability", r.Reliability, letters)
	w.unknownRel = c.Num("reputation.unknown_reliability", r.UnknownReliability, 0, 1)
	w.unknownConf = c.Num("reputation.unknown_confidence", r.UnknownConfidence, 0, 100)
	w.corroboration = c.Num("reputation.corroboration", r.Corroboration, 0, 1)
	w.obsDecay = c.Num("reputation.observable_decay", r.ObservableDecay, 0, 1)
	w.benignConflict = c.Num("reputation.benign_conflict", r.BenignConflict, 0, 1)
	w.reputationCap = c.Num("reputation.cap", r.Cap, 0, maxWeight)

	kb := &f.KnownBenign
	w.benignPer = c.Num("known_benign.per_observable", kb.PerObservable, -maxWeight, 0)
	w.benignCap = c.Num("known_benign.cap", kb.Cap, -maxWeight, 0)
	w.benignIgnore = kb.IgnoreRoles

	crits := []string{"low", "medium", "high", "critical"}
	w.asset = make(map[string]float64, len(crits))
	for _, s := range crits {
		v, ok := f.AssetCriticality[s]
		if !ok {
			c.Errorf("asset_criticality.%s: missing", s)
		}
		w.asset[s] = c.Num("asset_criticality."+s, v, -maxWeight, maxWeight)
	}
	unknownKeys(c, "asset_criticality", f.AssetCriticality, crits)

	u := &f.UserCriticality
	w.userVIP = c.Num("user_criticality.vip", u.VIP, 0, maxWeight)
	w.userExec = c.Num("user_criticality.executive", u.Executive, 0, maxWeight)
	w.userAdmin = c.Num("user_criticality.admin", u.Admin, 0, maxWeight)
	w.userService = c.Num("user_criticality.service", u.Service, 0, maxWeight)
	w.userCap = c.Num("user_criticality.cap", u.Cap, 0, maxWeight)

	if len(f.AttackStage) == 0 {
		c.Errorf("attack_stage: empty")
	}
	for i, s := range f.AttackStage {
		if s.Tactic == "" {
			c.Errorf("attack_stage[%d]: tactic missing", i)
		}
		w.stages = append(w.stages, stage{s.Tactic, c.Num(fmt.Sprintf("attack_stage[%d].weight", i), s.Weight, 0, maxWeight)})
	}
	prev := 0
	for i, t := range f.TechniquePrevalence {
		if t.MinGroups <= prev {
			c.Errorf("technique_prevalence[%d]: min_groups %d must be above %d", i, t.MinGroups, prev)
		}
		prev = t.MinGroups
		w.prevalence = append(w.prevalence, tier{t.MinGroups, c.Num(fmt.Sprintf("technique_prevalence[%d].weight", i), t.Weight, 0, maxWeight)})
	}
	w.offHours = c.Num("off_hours", f.OffHours, -maxWeight, maxWeight)

	buildCategories(c, w, f)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return w, nil
}

func buildCategories(c *content.Checker, w *Weights, f *file) {
	names := Categories()
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	kindNames := [numKinds]string{"ip", "domain", "url", "hash", "email", "other"}
	w.categories = make([]category, 0, len(f.Categories))
	for i, fc := range f.Categories {
		name := fmt.Sprintf("categories[%d]", i)
		if !known[fc.Name] {
			c.Errorf("%s: unknown category %q", name, fc.Name)
		}
		cat := category{name: fc.Name, maliciousHash: fc.MaliciousHash}
		for _, t := range fc.Techniques {
			if len(t) < 5 || t[0] != 'T' {
				c.Errorf("%s: technique %q is not an ATT&CK ID", name, t)
			}
			cat.techniques = append(cat.techniques, t)
		}
		for _, k := range fc.Keywords {
			if strings.TrimSpace(k) == "" {
				c.Errorf("%s: empty keyword", name)
				continue
			}
			kw := []byte(k)
			for i := range kw {
				kw[i] = foldByte(kw[i])
			}
			cat.keywords = append(cat.keywords, kw)
		}
		for k, n := range kindNames {
			v, ok := fc.Reputation[n]
			if !ok {
				c.Errorf("%s.reputation.%s: missing", name, n)
			}
			cat.kind[k] = c.Num(name+".reputation."+n, v, 0, 5)
		}
		unknownKeys(c, name+".reputation", fc.Reputation, kindNames[:])
		w.categories = append(w.categories, cat)
	}
	w.categoryByName = make(map[string]*category, len(w.categories))
	for i := range w.categories {
		cat := &w.categories[i]
		if w.categoryByName[cat.name] != nil {
			c.Errorf("categories: %q listed twice", cat.name)
		}
		w.categoryByName[cat.name] = cat
	}
	for _, n := range names {
		if w.categoryByName[n] == nil {
			c.Errorf("categories: %q missing", n)
		}
	}
	w.defaultCategory = w.categoryByName["other"]
}

// unknownKeys reports map keys outside allowed, in sorted order so that the
// error text is deterministic.
func unknownKeys(c *content.Checker, name string, m map[string]float64, allowed []string) {
	var extra []string
	for k := range m {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return
	}
	slices.Sort(extra)
	c.Errorf("%s: unknown keys %s", name, strings.Join(extra, ", "))
}
