// Package correlate groups a tenant's decided alerts into incidents: bursts
// (many alerts on one host or user in a short window), kill-chain
// progressions (alerts linked by shared entities whose ATT&CK tactics
// advance) and retrospective attachment of earlier alerts that were closed
// unseen once an incident becomes a likely attack.
//
// Its invariants: state is partitioned by tenant and nothing ever links the
// alerts of two tenants; the per-alert path does no I/O and never reads the
// wall clock (time is the alerts' own); the same sequence of calls gives
// byte-identical results and incidents; memory is bounded, because the state
// of an alert is dropped once it is older, than the latest alert seen, by
// more than the largest window, and an incident with it once all its
// members are gone. An incident's ID never changes: it derives from the
// tenant and the incident's first member when it was created. State is
// rebuilt by replaying Add, Update and Feedback in their original order.
//
// A Correlator is not safe for concurrent use: the pipeline calls it from
// its one sequential stage, in input order. Its effect on the score is a
// set of named factors whose weights are content (content/correlation.yaml);
// docs/correlation.md documents the rules.
package correlate
