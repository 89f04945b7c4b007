package alert

import "time"

// Verdict is the engine's classification of an alert.
type Verdict string

// Verdicts.
const (
	TruePositive   Verdict = "true_positive"
	FalsePositive  Verdict = "false_positive"
	NeedsReview    Verdict = "needs_review"
	BenignPositive Verdict = "benign_positive"
)

// Disposition is what happens to the alert next.
type Disposition string

// Dispositions, from most to least urgent.
const (
	Escalate    Disposition = "escalate"
	Investigate Disposition = "investigate"
	Review      Disposition = "review"
	AutoClose   Disposition = "auto_close"
)

// Priority is the response priority, P1 most urgent.
type Priority string

// Priorities.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Technique is an ATT&CK technique with its tactics in kill-chain order.
type Technique struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Tactics []string `json:"tactics"`
	// Origin says why the alert maps to it: "source" (the vendor named it)
	// or "content" (a Winnow mapping matched).
	Origin string `json:"origin,omitempty"`
}

// Factor is one named, explained contribution to the risk score.
type Factor struct {
	Name         string  `json:"name"`
	Contribution float64 `json:"contribution"`
	Detail       string  `json:"detail"`
}

// Risk classes of a response action.
const (
	RiskLow  = "low"
	RiskHigh = "high"
)

// Action statuses.
const (
	ActionProposed        = "proposed"
	ActionPendingApproval = "pending_approval"
	ActionExecuted        = "executed"
	// ActionRecorded is the status in shadow mode: decided, never executed.
	ActionRecorded = "recorded"
)

// Action is a proposed response step.
type Action struct {
	Type             string `json:"type"`
	Target           string `json:"target"`
	Risk             string `json:"risk"`
	RequiresApproval bool   `json:"requires_approval"`
	Status           string `json:"status"`
	// Params are the action's settings ("duration": "30d"); JSON writes
	// the keys sorted, so the output stays deterministic.
	Params map[string]string `json:"params,omitempty"`
}

// Decision is the pipeline's explainable output for one alert. Its JSON form
// is the triage output contract documented in docs/output.md; field order is
// part of that contract.
type Decision struct {
	AlertID     string       `json:"alert_id"`
	Tenant      string       `json:"tenant"`
	Source      string       `json:"source"`
	Time        time.Time    `json:"time"`
	Title       string       `json:"title"`
	Verdict     Verdict      `json:"verdict"`
	Disposition Disposition  `json:"disposition"`
	Severity    Severity     `json:"severity"`
	Priority    Priority     `json:"priority"`
	Score       int          `json:"score"`
	Factors     []Factor     `json:"factors"`
	Observables []Observable `json:"observables"`
	Techniques  []Technique  `json:"techniques"`
	IncidentID  *string      `json:"incident_id"`
	Actions     []Action     `json:"actions"`
	Reasoning   string       `json:"reasoning"`
	// RulesFired names the business rules that held for this alert, in
	// policy order.
	RulesFired []string `json:"rules_fired"`
	// EscalateTo is the analyst tier a rule requires ("L2"), if any.
	EscalateTo string `json:"escalate_to,omitempty"`
	// Notify lists the channels a rule asks to notify.
	Notify []string `json:"notify,omitempty"`
	// Relations is the graph of observables enrichment found (IP to domain
	// to certificate to ASN), kept with the decision.
	Relations []Relation `json:"relations,omitempty"`
	// Reinvestigate lists earlier alerts that this one's incident flagged
	// for re-investigation (they were auto-closed or judged false positive).
	Reinvestigate []string `json:"reinvestigate,omitempty"`
}
