package alert

import "time"

// Incident kinds: why alerts were grouped.
const (
	// IncidentBurst: many alerts on one host or user in a short window.
	IncidentBurst = "burst"
	// IncidentKillChain: alerts linked by shared entities whose ATT&CK
	// tactics advance along the kill chain.
	IncidentKillChain = "kill_chain"
)

// Incident statuses.
const (
	IncidentOpen     = "open"
	IncidentResolved = "resolved"
)

// Incident groups related alerts of one tenant into one case.
type Incident struct {
	// ID is stable: derived from the tenant and the first member alert.
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
	Title  string `json:"title"`
	// Kinds are the reasons the alerts were grouped (burst, kill_chain).
	Kinds  []string `json:"kinds"`
	Status string   `json:"status"`
	// Score is the incident's risk, at least its highest member's score and
	// raised by kill-chain progression.
	Score    int       `json:"score"`
	Priority Priority  `json:"priority"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	// Alerts are the member alert IDs in time order.
	Alerts []string `json:"alerts"`
	// Entities are the shared entities that link the members.
	Entities []Observable `json:"entities"`
	// Techniques are the members' techniques in tactic (kill-chain) order.
	Techniques []Technique `json:"techniques"`
	// Reinvestigate lists earlier member alerts that were auto-closed or
	// judged false positive and must be looked at again.
	Reinvestigate []string        `json:"reinvestigate,omitempty"`
	Timeline      []TimelineEntry `json:"timeline"`
}

// TimelineEntry is one event in an incident's life.
type TimelineEntry struct {
	Time    time.Time `json:"time"`
	AlertID string    `json:"alert_id,omitempty"`
	Event   string    `json:"event"`
	Detail  string    `json:"detail"`
}
