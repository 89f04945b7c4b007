// Package intel loads offline threat intelligence from files and answers
// lookups of canonical observables against it.
//
// A Store is built once by Load from a list of Feeds (Maltrail trails, IPsum,
// a Tor exit list, MISP warning lists, STIX 2.x bundles, an IPv4 ASN table and
// a MaxMind country database), each read in the upstream format either as the
// shipped .tar.gz (any top-level directory prefix) or as the extracted file or
// directory. Its invariants:
//
//   - A Store is immutable after Load and safe for concurrent use.
//   - Lookup is O(1) for exact values (hash maps keyed by the canonical value)
//     and O(log n) for address ranges; a miss allocates nothing.
//   - Findings come out in a stable order: feeds in configuration order, and
//     within a feed in a fixed order, so enrichment is deterministic for a
//     given set of feed files.
//   - Findings of one feed share their AsOf pointer and Categories backing
//     arrays; callers must treat them as read-only (appending to Categories
//     copies, because the slices are capped).
//
// docs/intel.md describes every feed, what it contributes, its upstream and
// the attribution its licence requires.
package intel
