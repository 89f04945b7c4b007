package decide

import (
	"fmt"
	"slices"

	"github.com/winnow-soc/winnow/alert"
)

// testCase is one of a policy file's own tests: an input and the parts of
// the outcome it expects. Fields left out of want are not checked.
type testCase struct {
	Name  string `yaml:"name"`
	Input Input  `yaml:"input"`
	Want  want   `yaml:"want"`
}

type want struct {
	Fired            *[]string         `yaml:"fired"`
	Priority         alert.Priority    `yaml:"priority"`
	MinDisposition   alert.Disposition `yaml:"min_disposition"`
	EscalateTo       string            `yaml:"escalate_to"`
	Notify           *[]string         `yaml:"notify"`
	Actions          *[]wantAction     `yaml:"actions"`
	EscalateIncident *bool             `yaml:"escalate_incident"`
	Errors           *int              `yaml:"errors"`
}

type wantAction struct {
	Type   string `yaml:"type"`
	Target string `yaml:"target"`
	Status string `yaml:"status"`
}

// TestResult is the result of one policy test case.
type TestResult struct {
	Name string
	// Problems say how the outcome differed from the expectation; none
	// means the test passed.
	Problems []string
	Outcome  Outcome
}

// Passed reports whether the test case passed.
func (r TestResult) Passed() bool { return len(r.Problems) == 0 }

// RunTests evaluates the policy's own test cases, in file order.
func (p *Policy) RunTests() []TestResult {
	out := make([]TestResult, 0, len(p.tests))
	for i := range p.tests {
		tc := &p.tests[i]
		in := tc.Input
		got := p.Evaluate(&in)
		out = append(out, TestResult{Name: tc.Name, Problems: tc.Want.check(&got), Outcome: got})
	}
	return out
}

func (w *want) check(got *Outcome) []string {
	var probs []string
	differ := func(field string, got, want any) {
		probs = append(probs, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
	if w.Fired != nil && !slices.Equal(got.Fired, *w.Fired) {
		differ("fired", got.Fired, *w.Fired)
	}
	if w.Priority != "" && got.Priority != w.Priority {
		differ("priority", got.Priority, w.Priority)
	}
	if w.MinDisposition != "" && got.MinDisposition != w.MinDisposition {
		differ("min_disposition", got.MinDisposition, w.MinDisposition)
	}
	if w.EscalateTo != "" && got.EscalateTo != w.EscalateTo {
		differ("escalate_to", got.EscalateTo, w.EscalateTo)
	}
	if w.Notify != nil && !slices.Equal(got.Notify, *w.Notify) {
		differ("notify", got.Notify, *w.Notify)
	}
	if w.EscalateIncident != nil && got.EscalateIncident != *w.EscalateIncident {
		differ("escalate_incident", got.EscalateIncident, *w.EscalateIncident)
	}
	if w.Errors != nil && len(got.Errors) != *w.Errors {
		differ("errors", got.Errors, *w.Errors)
	}
	if w.Actions != nil {
		var g []wantAction
		for _, a := range got.Actions {
			g = append(g, wantAction{Type: a.Type, Target: a.Target, Status: a.Status})
		}
		wa := *w.Actions
		ok := len(g) == len(wa)
		for i := 0; ok && i < len(g); i++ {
			ok = g[i].Type == wa[i].Type && g[i].Target == wa[i].Target && (wa[i].Status == "" || g[i].Status == wa[i].Status)
		}
		if !ok {
			differ("actions", g, wa)
		}
	}
	return probs
}
