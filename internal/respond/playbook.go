package respond

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/content"
)

// AnyCategory is the category of a playbook that applies to every alert.
const AnyCategory = "any"

// Evidence a step needs before it is proposed.
const (
	// EvidenceTarget: the target indicator itself was judged malicious or
	// suspicious. The default for indicator targets.
	EvidenceTarget = "target"
	// EvidenceAlert: some observable of the alert was judged malicious or
	// suspicious, or the alert is escalated.
	EvidenceAlert = "alert"
	// EvidenceNone: the category and the disposition are the evidence (a
	// brute-force source, an account known compromised). The default for
	// entity targets (host, user, message), which min_disposition gates.
	EvidenceNone = "none"
)

// Playbooks are the loaded playbooks, one per category.
type Playbooks struct {
	any        *playbook
	byCategory map[string]*playbook
}

type playbook struct {
	Category    string `yaml:"category"`
	Description string `yaml:"description"`
	Steps       []step `yaml:"actions"`
}

type step struct {
	Type   string            `yaml:"type"`
	Target string            `yaml:"target"`
	Risk   string            `yaml:"risk"`
	Params map[string]string `yaml:"params"`
	// Evidence is target, alert or none; empty takes the target's default.
	Evidence string `yaml:"evidence"`
	// MinDisposition: proposed only at this disposition or a more urgent
	// one; empty means any but auto_close.
	MinDisposition alert.Disposition `yaml:"min_disposition"`
	// IncidentOnly: proposed only when the alert is part of an incident.
	IncidentOnly bool `yaml:"incident_only"`
}

var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Default loads the shipped playbooks, content/playbooks/*.yaml.
func Default() (*Playbooks, error) {
	sub, err := fs.Sub(content.FS, "playbooks")
	if err != nil {
		return nil, fmt.Errorf("open shipped playbooks: %w", err)
	}
	return Load(sub)
}

// Load reads every *.yaml file at the root of fsys as one playbook,
// decoding strictly, and reports every problem at once.
func Load(fsys fs.FS) (*Playbooks, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list playbooks: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("load playbooks: no *.yaml files")
	}
	p := &Playbooks{byCategory: make(map[string]*playbook, len(names))}
	var errs []error
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("read playbook %s: %w", name, err))
			continue
		}
		pb, err := parse(src)
		if err != nil {
			errs = append(errs, fmt.Errorf("playbook %s: %w", name, err))
			continue
		}
		if pb.Category == AnyCategory {
			if p.any != nil {
				errs = append(errs, fmt.Errorf("playbook %s: a second playbook for category any", name))
			}
			p.any = pb
			continue
		}
		if p.byCategory[pb.Category] != nil {
			errs = append(errs, fmt.Errorf("playbook %s: a second playbook for category %s", name, pb.Category))
		}
		p.byCategory[pb.Category] = pb
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load playbooks: %w", err)
	}
	return p, nil
}

// parse decodes and validates one playbook file.
func parse(src []byte) (*playbook, error) {
	var pb playbook
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&pb); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, fmt.Errorf("decode: %w", err)
	}
	var errs []error
	if !typePattern.MatchString(pb.Category) {
		errs = append(errs, fmt.Errorf("category %q must be lower_snake_case", pb.Category))
	}
	if len(pb.Steps) == 0 {
		errs = append(errs, errors.New("no actions"))
	}
	for i := range pb.Steps {
		s := &pb.Steps[i]
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("action #%d %s: "+format, append([]any{i + 1, s.Type}, args...)...))
		}
		if !typePattern.MatchString(s.Type) {
			bad("type must be lower_snake_case")
		}
		sel, ok := selectors[s.Target]
		if !ok {
			bad("unknown target %q (want one of %s)", s.Target, selectorNames())
		}
		if s.Risk != alert.RiskLow && s.Risk != alert.RiskHigh {
			bad("risk %q is not low or high", s.Risk)
		}
		switch s.Evidence {
		case "":
			s.Evidence = EvidenceNone
			if sel.indicator {
				s.Evidence = EvidenceTarget
			}
		case EvidenceTarget:
			if ok && !sel.indicator {
				bad("evidence target needs an indicator target, not %s", s.Target)
			}
		case EvidenceAlert, EvidenceNone:
		default:
			bad("evidence %q is not target, alert or none", s.Evidence)
		}
		switch s.MinDisposition {
		case "", alert.Review, alert.Investigate, alert.Escalate:
		default:
			bad("min_disposition %q is not review, investigate or escalate", s.MinDisposition)
		}
		for k, v := range s.Params {
			if k == "" || v == "" {
				bad("params has an empty key or value")
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &pb, nil
}

// Categories are the categories with a playbook, sorted; AnyCategory is
// not among them.
func (p *Playbooks) Categories() []string {
	out := make([]string, 0, len(p.byCategory))
	for c := range p.byCategory {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func selectorNames() string {
	names := make([]string, 0, len(selectors))
	for n := range selectors {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
