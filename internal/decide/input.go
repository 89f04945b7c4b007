package decide

import "github.com/winnow-soc/winnow/alert"

// Input is what a policy's rules see of one alert. Its field names (the
// yaml tags) are the CEL variable and field names, and policy test cases
// are written in the same shape.
type Input struct {
	Alert       Alert        `yaml:"alert"`
	Score       int          `yaml:"score"`
	Disposition string       `yaml:"disposition"`
	Verdict     string       `yaml:"verdict"`
	Category    string       `yaml:"category"`
	Techniques  []string     `yaml:"techniques"`
	Tactics     []string     `yaml:"tactics"`
	Asset       Asset        `yaml:"asset"`
	User        User         `yaml:"user"`
	Observables []Observable `yaml:"observables"`
	Incident    Incident     `yaml:"incident"`
	Mode        string       `yaml:"mode"`
	Tenant      string       `yaml:"tenant"`
	Hour        int          `yaml:"hour"`
}

// Alert is the part of the alert rules may test.
type Alert struct {
	ID       string   `yaml:"id"`
	Source   string   `yaml:"source"`
	Title    string   `yaml:"title"`
	Severity string   `yaml:"severity"`
	RuleID   string   `yaml:"rule_id"`
	RuleName string   `yaml:"rule_name"`
	Tags     []string `yaml:"tags"`
	Category string   `yaml:"category"`
}

// Asset is the inventory record of the host the alert concerns.
type Asset struct {
	Name string `yaml:"name"`
	// Criticality is "", low, medium, high or critical.
	Criticality string   `yaml:"criticality"`
	Tags        []string `yaml:"tags"`
}

// User is what is known of the most critical identity involved.
type User struct {
	Name string `yaml:"name"`
	VIP  bool   `yaml:"vip"`
	// Role is "", user, admin, service or executive.
	Role        string `yaml:"role"`
	DomainAdmin bool   `yaml:"domain_admin"`
}

// Observable is one indicator with its judged reputation.
type Observable struct {
	Type  string `yaml:"type"`
	Value string `yaml:"value"`
	Class string `yaml:"class"`
	Role  string `yaml:"role"`
	// Malicious is true when some source judged it malicious or
	// suspicious and none judged it benign.
	Malicious bool `yaml:"malicious"`
}

// Incident is the incident the alert belongs to, zero when none.
type Incident struct {
	ID        string   `yaml:"id"`
	Kinds     []string `yaml:"kinds"`
	Burst     bool     `yaml:"burst"`
	KillChain bool     `yaml:"kill_chain"`
	Size      int      `yaml:"size"`
	Score     int      `yaml:"score"`
}

// AlertOf is the rule view of a canonical alert.
func AlertOf(a *alert.Alert) Alert {
	if a == nil {
		return Alert{}
	}
	return Alert{
		ID: a.ID, Source: a.Source, Title: a.Title, Severity: string(a.Severity),
		RuleID: a.Rule.ID, RuleName: a.Rule.Name, Tags: a.Rule.Tags, Category: a.Rule.Category,
	}
}

// ObservablesOf is the rule view of enriched observables, in their order.
func ObservablesOf(obs []alert.Observable) []Observable {
	out := make([]Observable, len(obs))
	for i := range obs {
		o := &obs[i]
		out[i] = Observable{Type: string(o.Type), Value: o.Value, Class: o.Class, Role: o.Role, Malicious: Bad(o)}
	}
	return out
}

// IncidentOf is the rule view of an incident; nil gives the zero Incident.
func IncidentOf(inc *alert.Incident) Incident {
	if inc == nil {
		return Incident{}
	}
	out := Incident{ID: inc.ID, Kinds: inc.Kinds, Size: len(inc.Alerts), Score: inc.Score}
	for _, k := range inc.Kinds {
		switch k {
		case alert.IncidentBurst:
			out.Burst = true
		case alert.IncidentKillChain:
			out.KillChain = true
		}
	}
	return out
}

// Bad reports whether some source judged o malicious or suspicious and
// none judged it benign: a benign verdict (an allow list, a top site)
// vetoes any automatic step against the indicator.
func Bad(o *alert.Observable) bool {
	bad := false
	for i := range o.Findings {
		switch o.Findings[i].Reputation {
		case alert.Benign:
			return false
		case alert.Malicious, alert.Suspicious:
			bad = true
		}
	}
	return bad
}
