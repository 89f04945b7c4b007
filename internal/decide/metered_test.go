package decide

import "testing"

func TestMetered(t *testing.T) {
	env, err := newEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{`asset.criticality == "critical" || "domain_controller" in asset.tags`, false},
		{`user.vip || user.role == "admin" || user.domain_admin`, false},
		{`alert.title.matches("(?i)mimikatz") && score > 40 && size(techniques) >= 2`, false},
		{`string(score) + alert.title == "x" || alert.rule_id.startsWith("9")`, false},
		{`hour < 6 ? score > 30 : score > 60`, false},
		{`observables.exists(o, o.malicious)`, true},
		{`asset.tags.all(t, t != "lab")`, true},
		{`observables.map(o, o.value).size() > 3`, true},
		{`alert.title.matches(alert.rule_name)`, true},
		{`matches(alert.title, "^x")`, false},
		{`timestamp("2026-01-01T00:00:00Z") > timestamp("2025-01-01T00:00:00Z")`, true},
	} {
		t.Run(c.expr, func(t *testing.T) {
			ast, iss := env.Compile(c.expr)
			if iss.Err() != nil {
				t.Fatal(iss.Err())
			}
			if got := metered(ast); got != c.want {
				t.Errorf("metered = %v, want %v", got, c.want)
			}
		})
	}
}
