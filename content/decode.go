package content

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
)

// DecodeStrict decodes one YAML content document into v, refusing unknown
// fields, so that a misspelt key in shipped or operator content is an error
// rather than a silently ignored setting.
func DecodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// Checker collects every problem found while validating a content file, so
// that all of them are reported at once.
type Checker struct{ errs []error }

// Errorf records a problem.
func (c *Checker) Errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// Num checks that v is a finite number within [lo, hi] and returns it.
func (c *Checker) Num(name string, v, lo, hi float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		c.Errorf("%s: %v is outside [%v, %v]", name, v, lo, hi)
	}
	return v
}

// Count checks that n is within [lo, hi] and returns it.
func (c *Checker) Count(name string, n, lo, hi int) int {
	if n < lo || n > hi {
		c.Errorf("%s: %d is outside [%d, %d]", name, n, lo, hi)
	}
	return n
}

// Err is every recorded problem joined, or nil.
func (c *Checker) Err() error { return errors.Join(c.errs...) }
