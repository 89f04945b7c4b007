// Package store persists alerts, their decisions, incidents, entity history,
// analyst feedback, the enrichment cache and audit records, behind the Store
// interface; every read is scoped to one tenant, an alert is stored once per
// (tenant, alert ID), a batch is written atomically, and audit rows are
// append-only.
//
// SQLite (one file, WAL, no cgo, modernc.org/sqlite) is the default
// implementation: one writer connection and a pool of read-only connections,
// schema migrations embedded in the binary and applied in order at open. A
// PostgreSQL implementation can satisfy the same interface later; the SQL that
// is SQLite-specific is listed in docs/storage.md.
//
// Writer batches items for the pipeline so that persistence costs one
// transaction per batch rather than one per alert.
package store
