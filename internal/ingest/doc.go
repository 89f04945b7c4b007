// Package ingest reads alert records from files and streams: JSON (NDJSON,
// a single object, an array of objects, concatenated pretty-printed objects
// in Elastic es_archiver style), text lines (CEF, LEEF, syslog), CSV
// exports with a header row, or gzip of any of these.
//
// Invariants: input is streamed and never loaded whole; the kind of an
// input is decided once from its first non-empty line; every record handed
// to the caller is one JSON object (JSON and CSV input; a CSV row becomes an
// object of string cells in header order) or one non-empty text line
// without its line ending, whose bytes the caller owns; records are emitted
// in input order with the file, 1-based start line and 0-based index they
// came from; a malformed record is reported and skipped without losing the
// records that follow it, and only I/O failures, cancellation or an error
// from the caller stop a read.
package ingest
