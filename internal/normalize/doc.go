// Package normalize turns vendor alert records into Winnow's canonical
// alert.Alert, one file per vendor format. A record is a JSON object (from
// JSON input or a CSV row that ingest re-encoded as an object of strings) or
// a text line (CEF, LEEF); an envelope record (an API list response) may
// hold several alerts (Multi).
//
// Invariants: normalisation is pure and deterministic (the same bytes give
// the same alert); detection never guesses, so a record that no format
// claims, or that two formats claim, is an error rather than a best effort;
// JSON formats only see JSON records in detection and text formats
// (TextFormat) only text ones; times are always UTC; Tenant is left empty
// for the pipeline to set; Raw is the record as given (a text line is kept as
// one JSON string, an envelope's alerts keep their own element). The format
// registry is written only by init functions of this package and is
// read-only afterwards; formats built from the configuration (generic
// mappings) travel in a Normalizer instead.
//
// Adding a format is one new file that declares a type implementing Format
// and registers it in init, plus a golden test case under testdata and a
// row in TestDetect.
package normalize
