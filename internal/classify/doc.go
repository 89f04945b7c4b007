// Package classify turns a score into a verdict, disposition, severity,
// priority and a readable reasoning paragraph, under a tenant's thresholds
// and deployment mode. Response actions are internal/respond's job.
//
// Classification is a pure stage: no I/O, no state, deterministic output for
// the same input. Its invariants: an auto-close never happens when any
// observable has a malicious finding from a source of reliability A or B
// (the alert is held for review instead), and every auto-close carries its
// logged reason. No LLM takes part in any decision here. docs/scoring.md
// documents the tables.
package classify
