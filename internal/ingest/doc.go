// Package ingest reads alert records from files and streams: NDJSON, a
// single JSON object, a JSON array of objects, concatenated pretty-printed
// objects (Elastic es_archiver style), or gzip of any of these.
//
// Invariants: input is streamed and never loaded whole; every record handed
// to the caller is one JSON object whose bytes the caller owns; records are
// emitted in input order with the file, 1-based start line and 0-based index
// they came from; a malformed record is reported and skipped without losing
// the records that follow it, and only I/O failures, cancellation or an
// error from the caller stop a read.
package ingest
