// Package jsonscan holds the small, allocation-free JSON scanners that the
// hot path shares: a validity check several times faster than
// encoding/json.Valid. It never decodes; decoding stays with encoding/json.
package jsonscan
