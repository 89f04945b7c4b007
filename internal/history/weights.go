package history

import (
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/content"
)

// maxWeight bounds every weight so that a typo cannot dominate a score.
const maxWeight = 100

// Weights are the parsed, validated content of content/history.yaml. A
// Weights is immutable after parsing and safe for concurrent use.
type Weights struct {
	version string

	novelty    [numKinds]float64
	noveltyCap float64

	unusualHour   float64
	minActiveDays int
	hourTolerance int
	newPeer       float64
	minPeerObs    int
	maxStable     int
	deviationCap  float64

	benignMin   int
	benignBase  float64
	benignExtra float64
	benignCap   float64

	maliciousMin  int
	maliciousPair float64
	maliciousEnt  float64
	maliciousRule float64
}

// file mirrors history.yaml; it is decoded strictly.
type file struct {
	Version string `yaml:"version"`
	Novelty struct {
		Host float64 `yaml:"host"`
		User float64 `yaml:"user"`
		IP   float64 `yaml:"ip"`
		Rule float64 `yaml:"rule"`
		Cap  float64 `yaml:"cap"`
	} `yaml:"novelty"`
	Deviation struct {
		UnusualHour         float64 `yaml:"unusual_hour"`
		MinActiveDays       int     `yaml:"min_active_days"`
		HourTolerance       int     `yaml:"hour_tolerance"`
		NewPeer             float64 `yaml:"new_peer"`
		MinPeerObservations int     `yaml:"min_peer_observations"`
		MaxStablePeers      int     `yaml:"max_stable_peers"`
		Cap                 float64 `yaml:"cap"`
	} `yaml:"baseline_deviation"`
	Benign struct {
		MinCount int     `yaml:"min_count"`
		Weight   float64 `yaml:"weight"`
		PerExtra float64 `yaml:"per_extra"`
		Cap      float64 `yaml:"cap"`
	} `yaml:"similar_closed_benign"`
	Malicious struct {
		MinCount          int     `yaml:"min_count"`
		SameRuleAndEntity float64 `yaml:"same_rule_and_entity"`
		SameEntity        float64 `yaml:"same_entity"`
		SameRule          float64 `yaml:"same_rule"`
	} `yaml:"similar_confirmed_malicious"`
}

// DefaultWeights parses the weights shipped in content/history.yaml.
func DefaultWeights() (*Weights, error) {
	b, err := content.FS.ReadFile("history.yaml")
	if err != nil {
		return nil, fmt.Errorf("read shipped history weights: %w", err)
	}
	return ParseWeights(b)
}

// ParseWeights decodes history.yaml strictly (unknown fields are errors) and
// validates it, reporting every problem at once.
func ParseWeights(b []byte) (*Weights, error) {
	var f file
	if err := content.DecodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("decode history weights: %w", err)
	}
	w, err := build(&f)
	if err != nil {
		return nil, fmt.Errorf("validate history weights: %w", err)
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

	n := &f.Novelty
	w.novelty[kindHost] = c.Num("novelty.host", n.Host, 0, maxWeight)
	w.novelty[kindUser] = c.Num("novelty.user", n.User, 0, maxWeight)
	w.novelty[kindIP] = c.Num("novelty.ip", n.IP, 0, maxWeight)
	w.novelty[kindRule] = c.Num("novelty.rule", n.Rule, 0, maxWeight)
	w.noveltyCap = c.Num("novelty.cap", n.Cap, 0, maxWeight)

	d := &f.Deviation
	w.unusualHour = c.Num("baseline_deviation.unusual_hour", d.UnusualHour, 0, maxWeight)
	w.minActiveDays = c.Count("baseline_deviation.min_active_days", d.MinActiveDays, 1, 366)
	w.hourTolerance = c.Count("baseline_deviation.hour_tolerance", d.HourTolerance, 0, 11)
	w.newPeer = c.Num("baseline_deviation.new_peer", d.NewPeer, 0, maxWeight)
	w.minPeerObs = c.Count("baseline_deviation.min_peer_observations", d.MinPeerObservations, 1, 1<<20)
	w.maxStable = c.Count("baseline_deviation.max_stable_peers", d.MaxStablePeers, 1, 64)
	w.deviationCap = c.Num("baseline_deviation.cap", d.Cap, 0, maxWeight)

	bn := &f.Benign
	w.benignMin = c.Count("similar_closed_benign.min_count", bn.MinCount, 1, 1<<20)
	w.benignBase = c.Num("similar_closed_benign.weight", bn.Weight, -maxWeight, 0)
	w.benignExtra = c.Num("similar_closed_benign.per_extra", bn.PerExtra, -maxWeight, 0)
	w.benignCap = c.Num("similar_closed_benign.cap", bn.Cap, -maxWeight, 0)
	if bn.Cap > bn.Weight {
		c.Errorf("similar_closed_benign: cap %v is weaker than weight %v", bn.Cap, bn.Weight)
	}

	m := &f.Malicious
	w.maliciousMin = c.Count("similar_confirmed_malicious.min_count", m.MinCount, 1, 1<<20)
	w.maliciousPair = c.Num("similar_confirmed_malicious.same_rule_and_entity", m.SameRuleAndEntity, 0, maxWeight)
	w.maliciousEnt = c.Num("similar_confirmed_malicious.same_entity", m.SameEntity, 0, maxWeight)
	w.maliciousRule = c.Num("similar_confirmed_malicious.same_rule", m.SameRule, 0, maxWeight)
	if m.SameRuleAndEntity < m.SameEntity || m.SameRuleAndEntity < m.SameRule {
		c.Errorf("similar_confirmed_malicious: same_rule_and_entity %v must weigh at least as much as same_entity and same_rule", m.SameRuleAndEntity)
	}

	if err := c.Err(); err != nil {
		return nil, err
	}
	return w, nil
}
