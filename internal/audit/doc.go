// Package audit keeps Winnow's tamper-evident audit trail: every decision,
// approval, rejection, feedback and configuration change is appended as a
// typed record to one SHA-256 hash chain, where each record's hash covers its
// predecessor's hash and the RFC 8785 (JCS) canonical JSON of the record, so
// that an edit, deletion or reordering of any stored record is detected by
// Verify and named by its sequence number.
//
// Invariants: sequence numbers start at 1 and increase by one; the first
// record's PrevHash is 64 zeros; a record's payload is stored as canonical
// JSON and never re-encoded after hashing; one chain spans every tenant (so a
// deletion is detected whoever's record it was) while Export writes only the
// records of the tenant it is asked for.
//
// A Chain is the only writer of its Log. Log is the small persistence
// contract (Memory for tests, StoreLog over internal/store); the chain
// hashes, the Log only keeps bytes. A decision record holds everything needed
// to replay the decision: the raw-input hash, the normalised alert with its
// raw payload, the enrichment snapshot (findings with their as_of), the
// context the score used, the content and policy versions, the rules fired
// and the decision with its factors and actions. See docs/audit.md.
package audit
