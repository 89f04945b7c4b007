package correlate

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/winnow-soc/winnow/content"
)

// maxWeight bounds every weight so that a typo cannot dominate a score.
const maxWeight = 100

// Weights are the parsed, validated content of correlation.yaml. A Weights
// is immutable after parsing and safe for concurrent use.
type Weights struct {
	version   string
	burst     float64
	perTactic float64
	chainCap  float64
}

// weightsFile mirrors correlation.yaml; it is decoded strictly.
type weightsFile struct {
	Version    string   `yaml:"version"`
	AlertBurst *float64 `yaml:"alert_burst"`
	KillChain  struct {
		PerTactic *float64 `yaml:"per_tactic"`
		Cap       *float64 `yaml:"cap"`
	} `yaml:"kill_chain"`
}

// DefaultWeights parses the weights shipped in content/correlation.yaml.
func DefaultWeights() (*Weights, error) {
	b, err := content.FS.ReadFile("correlation.yaml")
	if err != nil {
		return nil, fmt.Errorf("read shipped correlation weights: %w", err)
	}
	return ParseWeights(b)
}

// ParseWeights decodes correlation.yaml strictly (unknown fields are errors)
// and validates it, reporting every problem at once.
func ParseWeights(b []byte) (*Weights, error) {
	var f weightsFile
	if err := content.DecodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("decode correlation weights: %w", err)
	}
	var errs []error
	num := func(name string, v *float64) float64 {
		switch {
		case v == nil:
			errs = append(errs, fmt.Errorf("%s: missing", name))
			return 0
		case math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0 || *v > maxWeight:
			errs = append(errs, fmt.Errorf("%s: %v is outside [0, %d]", name, *v, maxWeight))
		}
		return *v
	}
	w := &Weights{version: f.Version}
	if strings.TrimSpace(f.Version) == "" {
		errs = append(errs, errors.New("version: missing"))
	}
	w.burst = num("alert_burst", f.AlertBurst)
	w.perTactic = num("kill_chain.per_tactic", f.KillChain.PerTactic)
	w.chainCap = num("kill_chain.cap", f.KillChain.Cap)
	if len(errs) == 0 && w.chainCap < w.perTactic {
		errs = append(errs, fmt.Errorf("kill_chain.cap: %v is below per_tactic %v", w.chainCap, w.perTactic))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("validate correlation weights: %w", err)
	}
	return w, nil
}

// Version is the content version of the weights.
func (w *Weights) Version() string { return w.version }

// chainBonus is the kill-chain bonus for an incident spanning n distinct
// tactics: per_tactic for each tactic beyond the first, capped.
func (w *Weights) chainBonus(n int) float64 {
	if n < 2 {
		return 0
	}
	return math.Min(w.perTactic*float64(n-1), w.chainCap)
}
