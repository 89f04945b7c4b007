// Package decide applies a tenant's business rules, written in CEL, to one
// triaged alert and says what they force: a priority, a minimum
// disposition, an escalation tier, notifications and proposed actions.
//
// Invariants: a Policy is compiled once and never changes, so Evaluate is
// safe for concurrent use; Evaluate does no I/O and reads no clock (the
// alert's local hour comes in the Input), so the same Input gives the same
// Outcome byte for byte; a rule that fails at run time (a type error, the
// cost limit) is reported in Outcome.Errors and never blocks the decision;
// rules of one tenant's policy see only that tenant's alert.
//
// # CEL environment
//
// Every rule's `when` is a CEL expression of type bool over these typed
// variables (the YAML test inputs use the same names):
//
//	alert        decide.Alert: id, source, title, severity, rule_id,
//	             rule_name, tags (list of string), category (the source's)
//	score        int: the 0-100 score
//	disposition  string: escalate, investigate, review or auto_close
//	verdict      string: true_positive, false_positive, needs_review, ...
//	category     string: Winnow's category (phishing, malware, ...)
//	techniques   list of string: ATT&CK technique IDs (T1059.001)
//	tactics      list of string: ATT&CK tactic short names, kill-chain order
//	asset        decide.Asset: name, criticality, tags
//	user         decide.User: name, vip, role, domain_admin
//	observables  list of decide.Observable: type, value, class, role,
//	             malicious (a source judged it malicious or suspicious)
//	incident     decide.Incident: id, kinds, burst, kill_chain, size, score
//	             (all zero when the alert is in no incident)
//	mode         string: shadow, assisted, semi_autonomous, autonomous
//	tenant       string
//	hour         int: the hour of the alert in the tenant's zone, 0-23
//
// docs/policies.md documents the policy file format.
package decide
