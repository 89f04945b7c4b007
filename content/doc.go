// Package content embeds Winnow's shipped, tested content: score weights,
// ATT&CK mappings and other data that changes more often than code. Every
// file here is covered by a test in the package that reads it.
package content

import "embed"

// FS holds the content files.
//
//go:embed *.yaml policies/*.yaml playbooks/*.yaml
var FS embed.FS
