package decide

import "fmt"

// Set holds the policies of all tenants: a tenant without its own policy
// gets the default one. A Set is immutable and safe for concurrent use;
// it never lets one tenant's policy see another tenant's alert.
type Set struct {
	def      *Policy
	byTenant map[string]*Policy
}

// NewSet builds a Set from a default policy and per-tenant ones; the map
// is copied.
func NewSet(def *Policy, byTenant map[string]*Policy) (*Set, error) {
	if def == nil {
		return nil, fmt.Errorf("policy set: no default policy")
	}
	s := &Set{def: def, byTenant: make(map[string]*Policy, len(byTenant))}
	for t, p := range byTenant {
		if p == nil {
			return nil, fmt.Errorf("policy set: tenant %s has a nil policy", t)
		}
		s.byTenant[t] = p
	}
	return s, nil
}

// For is the policy that applies to tenant.
func (s *Set) For(tenant string) *Policy {
	if p, ok := s.byTenant[tenant]; ok {
		return p
	}
	return s.def
}

// Evaluate applies the policy of in.Tenant to in.
func (s *Set) Evaluate(in *Input) Outcome { return s.For(in.Tenant).Evaluate(in) }
