package history

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/winnow-soc/winnow/content"
	"go.yaml.in/yaml/v3"
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
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
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

type checker struct{ errs []error }

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// num checks that v is a finite number within [lo, hi].
func (c *checker) num(name string, v, lo, hi float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		c.errorf("%s: %v is outside [%v, %v]", name, v, lo, hi)
	}
	return v
}

// count checks that n is an integer within [lo, hi].
func (c *checker) count(name string, n, lo, hi int) int {
	if n < lo || n > hi {
		c.errorf("%s: %d is outside [%d, %d]", name, n, lo, hi)
	}
	return n
}

func build(f *file) (*Weights, error) {
	c := &checker{}
	w := &Weights{version: f.Version}
	if strings.TrimSpace(f.Version) == "" {
		c.errorf("version: missing")
	}

	n := &f.Novelty
	w.novelty[kindHost] = c.num("novelty.host", n.Host, 0, maxWeight)
	w.novelty[kindUser] = c.num("novelty.user", n.User, 0, maxWeight)
	w.novelty[kindIP] = c.num("novelty.ip", n.IP, 0, maxWeight)
	w.novelty[kindRule] = c.num("novelty.rule", n.Rule, 0, maxWeight)
	w.noveltyCap = c.num("novelty.cap", n.Cap, 0, maxWeight)

	d := &f.Deviation
	w.unusualHour = c.num("baseline_deviation.unusual_hour", d.UnusualHour, 0, maxWeight)
	w.minActiveDays = c.count("baseline_deviation.min_active_days", d.MinActiveDays, 1, 366)
	w.hourTolerance = c.count("baseline_deviation.hour_tolerance", d.HourTolerance, 0, 11)
	w.newPeer = c.num("baseline_deviation.new_peer", d.NewPeer, 0, maxWeight)
	w.minPeerObs = c.count("baseline_deviation.min_peer_observations", d.MinPeerObservations, 1, 1<<20)
	w.maxStable = c.count("baseline_deviation.max_stable_peers", d.MaxStablePeers, 1, 64)
	w.deviationCap = c.num("baseline_deviation.cap", d.Cap, 0, maxWeight)

	bn := &f.Benign
	w.benignMin = c.count("similar_closed_benign.min_count", bn.MinCount, 1, 1<<20)
	w.benignBase = c.num("similar_closed_benign.weight", bn.Weight, -maxWeight, 0)
	w.benignExtra = c.num("similar_closed_benign.per_extra", bn.PerExtra, -maxWeight, 0)
	w.benignCap = c.num("similar_closed_benign.cap", bn.Cap, -maxWeight, 0)
	if bn.Cap > bn.Weight {
		c.errorf("similar_closed_benign: cap %v is weaker than weight %v", bn.Cap, bn.Weight)
	}

	m := &f.Malicious
	w.maliciousMin = c.count("similar_confirmed_malicious.min_count", m.MinCount, 1, 1<<20)
	w.maliciousPair = c.num("similar_confirmed_malicious.same_rule_and_entity", m.SameRuleAndEntity, 0, maxWeight)
	w.maliciousEnt = c.num("similar_confirmed_malicious.same_entity", m.SameEntity, 0, maxWeight)
	w.maliciousRule = c.num("similar_confirmed_malicious.same_rule", m.SameRule, 0, maxWeight)
	if m.SameRuleAndEntity < m.SameEntity || m.SameRuleAndEntity < m.SameRule {
		c.errorf("similar_confirmed_malicious: same_rule_and_entity %v must weigh at least as much as same_entity and same_rule", m.SameRuleAndEntity)
	}

	if len(c.errs) > 0 {
		return nil, errors.Join(c.errs...)
	}
	return w, nil
}
