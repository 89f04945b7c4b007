package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Kind names the type of an audit record and of its payload.
type Kind string

// Record kinds.
const (
	KindDecision     Kind = "decision"
	KindApproval     Kind = "approval"
	KindRejection    Kind = "rejection"
	KindFeedback     Kind = "feedback"
	KindConfigChange Kind = "config_change"
)

// Kinds lists every record kind, in the order the documentation gives them.
var Kinds = []Kind{KindDecision, KindApproval, KindRejection, KindFeedback, KindConfigChange}

// Valid reports whether k is a known record kind.
func (k Kind) Valid() bool {
	switch k {
	case KindDecision, KindApproval, KindRejection, KindFeedback, KindConfigChange:
		return true
	}
	return false
}

// Payload is the typed body of a record: one of *Decision, *Approval,
// *Rejection, *Feedback or *ConfigChange.
type Payload interface {
	Kind() Kind
	// Validate reports every missing required field at once; it does no I/O.
	Validate() error
}

// Compile-time guards: every payload type is a Payload.
var (
	_ Payload = (*Decision)(nil)
	_ Payload = (*Approval)(nil)
	_ Payload = (*Rejection)(nil)
	_ Payload = (*Feedback)(nil)
	_ Payload = (*ConfigChange)(nil)
)

// Versions name the code and content a decision was computed with; replay
// loads the same versions to reproduce it.
type Versions struct {
	// Engine is the Winnow build ("v0.4.1" or a commit).
	Engine string `json:"engine,omitempty"`
	// Content is the weights/content version (score.Weights.Version).
	Content string `json:"content"`
	// Policy is the tenant's business-rule policy version, if any.
	Policy string `json:"policy,omitempty"`
}

// Feed is the snapshot of one enrichment source used by a decision.
type Feed struct {
	Source string `json:"source"`
	// AsOf is when the source's data was produced.
	AsOf time.Time `json:"as_of"`
	// Version is the feed's own version or digest, when it has one.
	Version string `json:"version,omitempty"`
}

// Enrichment is the enrichment snapshot of a decision: when it ran and which
// feed versions it read. The per-observable findings, each with its as_of,
// are in Decision.Decision.Observables.
type Enrichment struct {
	At    time.Time `json:"at"`
	Feeds []Feed    `json:"feeds,omitempty"`
}

// Asset is the inventory context the score and the rules saw.
type Asset struct {
	Name        string   `json:"name,omitempty"`
	Criticality string   `json:"criticality,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

// User is the identity context the score and the rules saw.
type User struct {
	Name        string `json:"name,omitempty"`
	VIP         bool   `json:"vip,omitempty"`
	Role        string `json:"role,omitempty"`
	DomainAdmin bool   `json:"domain_admin,omitempty"`
}

// Context is the stateful and inventory input of a decision that is not in
// the alert: what replay cannot recompute from the alert alone.
type Context struct {
	Asset    Asset `json:"asset"`
	User     User  `json:"user"`
	OffHours bool  `json:"off_hours,omitempty"`
	// LocalTime is the alert time in the tenant's zone, as the score wrote it.
	LocalTime string `json:"local_time,omitempty"`
	// Mode is the tenant's response mode ("shadow", "assist", "auto").
	Mode string `json:"mode,omitempty"`
	// Prevalence is how often the alert's entities were seen before, as the
	// history stage reported it to the score.
	Prevalence int `json:"prevalence,omitempty"`
	// State is what the stateful stages (history, correlation) contributed,
	// so that replay needs no history.
	State *State `json:"state,omitempty"`
}

// State is the contribution of the stateful stages to one decision.
type State struct {
	HistoryFactors     []alert.Factor `json:"history_factors,omitempty"`
	HistorySummary     string         `json:"history_summary,omitempty"`
	CorrelationFactors []alert.Factor `json:"correlation_factors,omitempty"`
	CorrelationReasons []string       `json:"correlation_reasons,omitempty"`
	// Incident is the incident as the business rules saw it.
	Incident      *IncidentState `json:"incident,omitempty"`
	Burst         bool           `json:"burst,omitempty"`
	Reinvestigate []string       `json:"reinvestigate,omitempty"`
	// OnlineNotes name online providers whose evidence is missing (failed
	// lookups, spent quotas); OnlineMissing holds the alert at review.
	OnlineNotes   []string `json:"online_notes,omitempty"`
	OnlineMissing bool     `json:"online_missing,omitempty"`
}

// IncidentState is an incident as the business rules saw it.
type IncidentState struct {
	ID    string   `json:"id"`
	Kinds []string `json:"kinds,omitempty"`
	Size  int      `json:"size"`
	Score int      `json:"score"`
}

// Decision is the payload of a decision record. Replay re-runs the scoring,
// classification and rules on Alert, Decision.Observables (enriched),
// Decision.Techniques and Context under Versions, and must obtain Decision.
type Decision struct {
	// InputHash is the SHA-256 of the raw payload as received (InputHash()).
	InputHash string `json:"input_hash"`
	// Alert is the normalised alert. Its Raw is recorded in Raw instead
	// (Chain.Append moves it there and Decode puts it back): canonical JSON
	// would reorder the vendor's keys, and the bytes must stay the ones
	// InputHash was computed on.
	Alert alert.Alert `json:"alert"`
	// Raw is the vendor payload exactly as received (base64 in JSON).
	Raw        []byte     `json:"raw,omitempty"`
	Context    Context    `json:"context"`
	Enrichment Enrichment `json:"enrichment"`
	Versions   Versions   `json:"versions"`
	// Category is the scoring category the weights chose.
	Category string `json:"category,omitempty"`
	// RuleErrors name the business rules that could not be evaluated; the
	// rules that fired are in Decision.RulesFired.
	RuleErrors []string `json:"rule_errors,omitempty"`
	// Decision is the output: verdict, disposition, score, factors,
	// observables with findings, techniques, incident, actions and the
	// rules fired.
	Decision alert.Decision `json:"decision"`
}

// Kind implements Payload.
func (*Decision) Kind() Kind { return KindDecision }

// Validate implements Payload.
func (d *Decision) Validate() error {
	var errs []error
	if len(d.InputHash) != sha256.Size*2 || !isHex(d.InputHash) {
		errs = append(errs, errors.New("input_hash must be 64 hex digits"))
	}
	if d.Alert.ID == "" || d.Decision.AlertID != d.Alert.ID {
		errs = append(errs, fmt.Errorf("alert id %q and decision alert id %q must be equal and set", d.Alert.ID, d.Decision.AlertID))
	}
	if d.Decision.Tenant != d.Alert.Tenant {
		errs = append(errs, fmt.Errorf("alert tenant %q and decision tenant %q differ", d.Alert.Tenant, d.Decision.Tenant))
	}
	if d.Versions.Content == "" {
		errs = append(errs, errors.New("versions.content is required"))
	}
	return errors.Join(errs...)
}

// InputHash returns the lowercase hex SHA-256 of a raw input payload, the
// value of Decision.InputHash.
func InputHash(raw []byte) string {
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// Approval is an analyst's approval of a proposed action.
type Approval struct {
	AlertID string `json:"alert_id"`
	// DecisionSeq is the seq of the decision record that proposed the action.
	DecisionSeq int64        `json:"decision_seq,omitempty"`
	Action      alert.Action `json:"action"`
	Approver    string       `json:"approver"`
	Comment     string       `json:"comment,omitempty"`
}

// Kind implements Payload.
func (*Approval) Kind() Kind { return KindApproval }

// Validate implements Payload.
func (a *Approval) Validate() error {
	return requireFields("alert_id", a.AlertID, "approver", a.Approver, "action.type", a.Action.Type)
}

// Rejection is an analyst's refusal of a proposed action.
type Rejection struct {
	AlertID     string       `json:"alert_id"`
	DecisionSeq int64        `json:"decision_seq,omitempty"`
	Action      alert.Action `json:"action"`
	Approver    string       `json:"approver"`
	Reason      string       `json:"reason"`
}

// Kind implements Payload.
func (*Rejection) Kind() Kind { return KindRejection }

// Validate implements Payload.
func (r *Rejection) Validate() error {
	return requireFields("alert_id", r.AlertID, "approver", r.Approver, "action.type", r.Action.Type, "reason", r.Reason)
}

// Feedback is an analyst's judgement of a decided alert.
type Feedback struct {
	AlertID     string            `json:"alert_id"`
	DecisionSeq int64             `json:"decision_seq,omitempty"`
	Analyst     string            `json:"analyst"`
	Verdict     alert.Verdict     `json:"verdict"`
	Disposition alert.Disposition `json:"disposition,omitempty"`
	Comment     string            `json:"comment,omitempty"`
}

// Kind implements Payload.
func (*Feedback) Kind() Kind { return KindFeedback }

// Validate implements Payload.
func (f *Feedback) Validate() error {
	return requireFields("alert_id", f.AlertID, "analyst", f.Analyst, "verdict", string(f.Verdict))
}

// ConfigChange records a change of configuration or content: weights,
// policies, playbooks, tenants.
type ConfigChange struct {
	Actor string `json:"actor"`
	// Component names what changed ("weights", "policy/acme", "config").
	Component string `json:"component"`
	From      string `json:"from,omitempty"`
	To        string `json:"to"`
	// Digest is the SHA-256 of the new content, so the exact bytes can be
	// matched later.
	Digest  string `json:"digest,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// Kind implements Payload.
func (*ConfigChange) Kind() Kind { return KindConfigChange }

// Validate implements Payload.
func (c *ConfigChange) Validate() error {
	return requireFields("actor", c.Actor, "component", c.Component, "to", c.To)
}

// requireFields takes name, value pairs and names every empty value.
func requireFields(pairs ...string) error {
	var errs []error
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			errs = append(errs, fmt.Errorf("%s is required", pairs[i]))
		}
	}
	return errors.Join(errs...)
}

// Decode returns the typed payload of an entry. Decoding is strict: an
// unknown kind or an unknown field is an error, so a record written by a
// newer Winnow is not silently half-read.
func Decode(kind Kind, payload []byte) (Payload, error) {
	var p Payload
	switch kind {
	case KindDecision:
		p = new(Decision)
	case KindApproval:
		p = new(Approval)
	case KindRejection:
		p = new(Rejection)
	case KindFeedback:
		p = new(Feedback)
	case KindConfigChange:
		p = new(ConfigChange)
	default:
		return nil, fmt.Errorf("decode audit payload: %w: %q", ErrUnknownKind, kind)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return nil, fmt.Errorf("decode audit %s payload: %w", kind, err)
	}
	if d, ok := p.(*Decision); ok && d.Alert.Raw == nil && json.Valid(d.Raw) {
		d.Alert.Raw = json.RawMessage(d.Raw)
	}
	return p, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
