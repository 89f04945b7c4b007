// Package config loads Winnow's one YAML configuration file into an
// immutable, validated Config: strictly decoded (unknown keys are errors),
// defaulted in one place (Default and Config.ApplyDefaults), validated
// without I/O with every problem reported at once, and resolved into O(1)
// per-tenant lookups (assets, identities, business hours) that are safe for
// concurrent use once Load, Parse, Default or Resolve has returned.
//
// With no file at all Winnow runs on Default, a complete and valid
// configuration with a single tenant named "default". Every key and its
// default is documented in docs/configuration.md.
package config
