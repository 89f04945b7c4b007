// Package classify turns a score into a verdict, disposition, severity,
// priority, proposed response actions and a readable reasoning paragraph,
// under a tenant's thresholds and deployment mode.
//
// Classification is a pure stage: no I/O, no state, deterministic output for
// the same input. Its invariants: an auto-close never happens when any
// observable has a malicious finding from a source of reliability A or B
// (the alert is held for review instead); auto-close yields no actions; in
// shadow mode every action is only recorded; nothing is ever executed by
// this package (execution through SOAR connectors comes later), so actions
// are "recorded", "proposed" or "pending_approval". No LLM takes part in any
// decision here. docs/scoring.md documents the tables.
package classify
