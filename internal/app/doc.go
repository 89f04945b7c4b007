// Package app implements the winnow command line: it parses flags, builds
// the pipeline from the configuration and runs one subcommand. It holds no
// triage logic of its own, so every command can be run from a test with
// in-memory standard streams.
//
// Exit status: 0 on success, 1 when the command ran but some input was
// rejected or a check failed, 2 for usage errors.
package app
