// Package update downloads Winnow's offline threat-intel feeds from their
// upstream URLs into the data directory, replacing each file atomically and
// only after it has passed every integrity check.
//
// Invariants: a feed file in the data directory is always either the previous
// complete version or the new verified one, never a partial download; a failed
// update leaves the old file and its metadata untouched and no temporary file
// behind; only http and https URLs are fetched, redirects are limited to five
// hops to http or https (never from https down to http), and the caller's
// context bounds every request.
//
// Each feed file <file> has a sidecar <file>.meta.json (see Meta) holding the
// URL, ETag, Last-Modified and SHA-256 of the stored copy, so an unchanged feed
// is answered with 304 Not Modified instead of being downloaded again.
//
// Verification, in order: the size cap (Source.MaxBytes), a non-empty body,
// the pinned SHA-256 when Source.SHA256 is set, gzip and tar integrity when the
// file name ends in .gz, .tgz or .tar.gz (the archive is read through to its
// end), and finally the caller's validate hook, which typically parses the
// temporary file with the real loader.
package update
