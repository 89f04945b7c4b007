// Package stixgen turns MITRE's ATT&CK Enterprise STIX 2.0 bundle into the
// compact knowledge-base file that package attack embeds. Its output is a
// pure function of its inputs: the same bundle and licence text give the same
// bytes, so a test can regenerate it and compare.
//
// It keeps live techniques, sub-techniques, tactics (in the enterprise
// matrix's kill-chain order) and intrusion sets, drops revoked and deprecated
// objects, and records where a revoked technique ID now points so that old
// vendor IDs still resolve.
package stixgen
