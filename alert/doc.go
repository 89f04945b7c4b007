// Package alert is Winnow's public data model: the canonical alert every
// normaliser produces, the observables extracted from it, the evidence found
// for them, and the explainable decision the pipeline makes.
//
// The types are plain data with stable JSON names and depend only on the
// standard library, so connectors and other programs can import them without
// pulling in the engine. Field names follow the OCSF Detection Finding class
// (2004) where one exists; docs/ocsf.md holds the mapping.
package alert
