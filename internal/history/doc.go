// Package history is Winnow's per-tenant memory of entities (hosts, users,
// source IPs, detection rules and the destinations they reach), turned into
// explainable score factors: novelty, baseline_deviation,
// similar_closed_benign and similar_confirmed_malicious. Its invariants: no
// state ever links two tenants; state older than the window (30 days by
// default, measured on the alerts' own times, never the wall clock) is
// forgotten, so memory is bounded by the window; and the same sequence of
// Assess, Record and Feedback calls gives the same outputs byte for byte.
//
// A Tracker sits in the pipeline's sequential stage: for each alert, in
// input order, the pipeline calls Assess (factors from the history before
// the alert), decides, then calls Record. Analyst verdicts arrive through
// Feedback. Nothing on that path does I/O; to persist, the integrator
// replays stored decisions and feedback through Record and Feedback in their
// original order, which rebuilds the same state. A Tracker is not safe for
// concurrent use.
//
// Per entity it keeps compact counters: alerts in the window by disposition
// and analyst verdict, first and last seen, one bucket per active local day
// with a 24-bit mask of active hours (the usual-hours histogram, in the
// tenant's time zone), a capped set of peers, and per-rule counts of benign
// and malicious outcomes. Weights and thresholds are content:
// content/history.yaml. docs/history.md explains every factor.
package history
