// Package respond turns a triaged alert into the response actions its
// category's playbook proposes (content/playbooks/*.yaml): block the
// indicators, purge the message, isolate the host, disable the account.
//
// Invariants: Propose does no I/O and is deterministic (playbook order,
// then observable order; deduplicated on type and target; at most
// MaxActions); it never targets a private, loopback or reserved IP, an
// internal domain or an indicator any source judged benign; it proposes
// nothing for an auto-closed alert; nothing is executed here: in shadow
// mode every action is recorded, otherwise low-risk actions are proposed
// and high-risk ones, and every action on a critical asset or a VIP or
// administrator, wait for approval (pending_approval). Playbooks are
// immutable after Load and safe for concurrent use.
//
// docs/playbooks.md documents the playbook format.
package respond
