// Package normalize turns vendor alert records (one JSON object each) into
// Winnow's canonical alert.Alert, one file per vendor format.
//
// Invariants: normalisation is pure and deterministic (the same bytes give
// the same alert); detection never guesses, so a record that no format
// claims, or that two formats claim, is an error rather than a best effort;
// times are always UTC; Tenant is left empty for the pipeline to set; Raw is
// the record exactly as given. The format registry is written only by init
// functions of this package and is read-only afterwards.
//
// Adding a format is one new file that declares a type implementing Format
// and registers it in init, plus a golden test case under testdata.
package normalize
