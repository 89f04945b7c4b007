package decide

import (
	"strings"
	"testing"

)

func defaultPolicy(t testing.TB) *Policy {
	t.Helper()
	p, err := DefaultPolicy()
	if err != nil {
		t.Fatalf("DefaultPolicy: %v", err)
	}
	return p
}

// TestShippedPolicy covers content/policies/default.yaml: it compiles and
// its own test cases pass.
func TestShippedPolicy(t *testing.T) {
	p := defaultPolicy(t)
	res := p.RunTests()
	if len(res) < 8 {
		t.Fatalf("default policy has %d test cases, want at least 8", len(res))
	}
	for _, r := range res {
		t.Run(r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Errorf("%s; outcome %+v", strings.Join(r.Problems, "; "), r.Outcome)
			}
		})
	}
}
