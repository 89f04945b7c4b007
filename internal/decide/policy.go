package decide

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"go.yaml.in/yaml/v3"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/content"
)

// DefaultCostLimit bounds the CEL cost of one rule's evaluation. The
// shipped rules cost under 20; the limit stops a comprehension over a
// huge observable list from stalling the sequential stage.
//
// Only rules that could cost more than linear time in the size of the
// alert are metered: those with a comprehension (all, exists, exists_one,
// map, filter) or a call outside linearFunctions. Tracking every rule
// would cost two thirds of the evaluation time.
const DefaultCostLimit = 10_000

// linearFunctions are the CEL functions and operators whose cost is at
// most linear in their arguments' sizes.
var linearFunctions = map[string]bool{
	operators.Conditional: true, operators.LogicalAnd: true, operators.LogicalOr: true,
	operators.LogicalNot: true, operators.NotStrictlyFalse: true,
	operators.Equals: true, operators.NotEquals: true, operators.Less: true, operators.LessEquals: true,
	operators.Greater: true, operators.GreaterEquals: true, operators.Add: true, operators.Subtract: true,
	operators.Multiply: true, operators.Divide: true, operators.Modulo: true, operators.Negate: true,
	operators.Index: true, operators.In: true, operators.OldIn: true,
	"size": true, "contains": true, "startsWith": true, "endsWith": true, "matches": true,
	"int": true, "string": true,
}

// metered reports whether a rule needs the run-time cost limit.
func metered(a *cel.Ast) bool {
	found := celast.MatchDescendants(celast.NavigateAST(a.NativeRep()), func(e celast.NavigableExpr) bool {
		switch e.Kind() {
		case celast.ComprehensionKind:
			return true
		case celast.CallKind:
			c := e.AsCall()
			if c.FunctionName() == "matches" {
				// Matching costs pattern size times text size: linear
				// only for a constant pattern.
				args := c.Args()
				return len(args) == 0 || args[len(args)-1].Kind() != celast.LiteralKind
			}
			return !linearFunctions[c.FunctionName()]
		}
		return false
	})
	return len(found) > 0
}

// Policy is one tenant's compiled business rules. It is immutable after
// Compile and safe for concurrent use.
type Policy struct {
	name  string
	rules []rule
	tests []testCase
}

type rule struct {
	name string
	prg  cel.Program
	then effect
	// reason is the sentence Outcome.Reasons carries when the rule fires.
	reason string
}

// file is a policy file as written.
type file struct {
	Rules []ruleSpec `yaml:"rules"`
	Tests []testCase `yaml:"tests"`
}

type ruleSpec struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	When        string `yaml:"when"`
	Then        effect `yaml:"then"`
}

// effect is what a rule forces when it fires.
type effect struct {
	// Priority forces the response priority, P1-P4.
	Priority alert.Priority `yaml:"priority"`
	// MinDisposition raises the disposition to at least this one.
	MinDisposition alert.Disposition `yaml:"min_disposition"`
	// EscalateTo names the analyst tier, L1-L3.
	EscalateTo string `yaml:"escalate_to"`
	// Notify names notification channels.
	Notify []string `yaml:"notify"`
	// Propose lists response actions the rule proposes.
	Propose []proposal `yaml:"propose"`
	// EscalateIncident escalates the whole incident the alert is in.
	EscalateIncident bool `yaml:"escalate_incident"`
}

type proposal struct {
	Type   string            `yaml:"type"`
	Target string            `yaml:"target"`
	Risk   string            `yaml:"risk"`
	Params map[string]string `yaml:"params"`
}

var (
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	tierPattern = regexp.MustCompile(`^L[1-3]$`)
)

// Name is the policy's name as given to Compile.
func (p *Policy) Name() string { return p.name }

// Rules are the rule names in policy order.
func (p *Policy) Rules() []string {
	out := make([]string, len(p.rules))
	for i := range p.rules {
		out[i] = p.rules[i].name
	}
	return out
}

// DefaultPolicy is the shipped policy, content/policies/default.yaml.
func DefaultPolicy() (*Policy, error) {
	src, err := content.FS.ReadFile("policies/default.yaml")
	if err != nil {
		return nil, fmt.Errorf("read default policy: %w", err)
	}
	return Compile("default", src)
}

// Compile decodes a policy file strictly (unknown fields are errors) and
// compiles every rule. It reports every problem at once, each naming its
// rule, and compiles the test cases' inputs too.
func Compile(name string, yamlSrc []byte) (*Policy, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(yamlSrc))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("policy %s: decode: %w", name, err)
	}
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("policy %s: cel environment: %w", name, err)
	}
	p := &Policy{name: name, tests: f.Tests}
	var errs []error
	if len(f.Rules) == 0 {
		errs = append(errs, errors.New("no rules"))
	}
	seen := make(map[string]bool, len(f.Rules))
	for i := range f.Rules {
		rs := &f.Rules[i]
		label := rs.Name
		if label == "" {
			label = fmt.Sprintf("#%d", i+1)
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("rule %s: "+format, append([]any{label}, args...)...))
		}
		switch {
		case rs.Name == "":
			bad("name is empty")
		case !namePattern.MatchString(rs.Name):
			bad("name must be lower_snake_case")
		case seen[rs.Name]:
			bad("name is used twice")
		}
		seen[rs.Name] = true
		for _, e := range rs.Then.validate() {
			bad("then: %v", e)
		}
		if rs.When == "" {
			bad("when is empty")
			continue
		}
		ast, iss := env.Compile(rs.When)
		if iss.Err() != nil {
			bad("when: %w", iss.Err())
			continue
		}
		if ast.OutputType() != cel.BoolType {
			bad("when has type %s, want bool", ast.OutputType())
			continue
		}
		opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
		if metered(ast) {
			opts = append(opts, cel.CostLimit(DefaultCostLimit))
		}
		prg, err := env.Program(ast, opts...)
		if err != nil {
			bad("when: %w", err)
			continue
		}
		p.rules = append(p.rules, rule{name: rs.Name, prg: prg, then: rs.Then, reason: reasonOf(rs)})
	}
	tnames := make(map[string]bool, len(f.Tests))
	for i := range f.Tests {
		tc := &f.Tests[i]
		switch {
		case tc.Name == "":
			errs = append(errs, fmt.Errorf("test #%d: name is empty", i+1))
		case tnames[tc.Name]:
			errs = append(errs, fmt.Errorf("test %q: name is used twice", tc.Name))
		}
		tnames[tc.Name] = true
		if tc.Want.Fired != nil {
			for _, r := range *tc.Want.Fired {
				if !seen[r] {
					errs = append(errs, fmt.Errorf("test %q: want fired names unknown rule %s", tc.Name, r))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("policy %s: %w", name, errors.Join(errs...))
	}
	return p, nil
}

func (t *effect) validate() []error {
	var errs []error
	if t.Priority == "" && t.MinDisposition == "" && t.EscalateTo == "" && len(t.Notify) == 0 &&
		len(t.Propose) == 0 && !t.EscalateIncident {
		errs = append(errs, errors.New("does nothing"))
	}
	if t.Priority != "" && priorityRank(t.Priority) == 0 {
		errs = append(errs, fmt.Errorf("priority %q is not P1-P4", t.Priority))
	}
	if t.MinDisposition != "" && dispositionRank(t.MinDisposition) == 0 {
		errs = append(errs, fmt.Errorf("min_disposition %q is not escalate, investigate, review or auto_close", t.MinDisposition))
	}
	if t.EscalateTo != "" && !tierPattern.MatchString(t.EscalateTo) {
		errs = append(errs, fmt.Errorf("escalate_to %q is not L1-L3", t.EscalateTo))
	}
	for _, n := range t.Notify {
		if n == "" {
			errs = append(errs, errors.New("notify names an empty channel"))
		}
	}
	for i, a := range t.Propose {
		if a.Type == "" || !namePattern.MatchString(a.Type) {
			errs = append(errs, fmt.Errorf("propose #%d: type %q must be lower_snake_case", i+1, a.Type))
		}
		if !knownSelector(a.Target) {
			errs = append(errs, fmt.Errorf("propose #%d: unknown target %q (want one of %s)", i+1, a.Target, selectorList))
		}
		if a.Risk != alert.RiskLow && a.Risk != alert.RiskHigh {
			errs = append(errs, fmt.Errorf("propose #%d: risk %q is not low or high", i+1, a.Risk))
		}
	}
	return errs
}

// priorityRank is 4 for P1 down to 1 for P4, 0 for anything else.
func priorityRank(p alert.Priority) int {
	switch p {
	case alert.P1:
		return 4
	case alert.P2:
		return 3
	case alert.P3:
		return 2
	case alert.P4:
		return 1
	}
	return 0
}

// dispositionRank is 4 for escalate down to 1 for auto_close, 0 otherwise.
func dispositionRank(d alert.Disposition) int {
	switch d {
	case alert.Escalate:
		return 4
	case alert.Investigate:
		return 3
	case alert.Review:
		return 2
	case alert.AutoClose:
		return 1
	}
	return 0
}

// reasonOf is the rule's explanation: its name, what it forces and its
// description, written once at compile time.
func reasonOf(rs *ruleSpec) string {
	var parts []string
	t := &rs.Then
	if t.Priority != "" {
		parts = append(parts, "priority "+string(t.Priority))
	}
	if t.MinDisposition != "" {
		parts = append(parts, "at least "+string(t.MinDisposition))
	}
	if t.EscalateTo != "" {
		parts = append(parts, "escalate to "+t.EscalateTo)
	}
	if len(t.Notify) > 0 {
		parts = append(parts, "notify "+strings.Join(t.Notify, ", "))
	}
	for _, a := range t.Propose {
		parts = append(parts, "propose "+a.Type+" on "+a.Target)
	}
	if t.EscalateIncident {
		parts = append(parts, "escalate the incident")
	}
	r := "rule " + rs.Name + ": " + strings.Join(parts, "; ")
	if d := strings.TrimSpace(rs.Description); d != "" {
		r += " (" + strings.TrimSuffix(d, ".") + ")"
	}
	return r
}
