package normalize

import (
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// Normalizer normalises records with the registered formats plus formats
// built at run time, such as the configured generic mappings, which cannot
// join the registry (it is written only in init). A nil *Normalizer uses
// the registered formats alone. It is safe for concurrent use.
type Normalizer struct {
	extra []Format
}

// NewNormalizer returns a Normalizer that also offers records to extra,
// in order.
func NewNormalizer(extra ...Format) *Normalizer {
	return &Normalizer{extra: extra}
}

// Has reports whether format is "auto", "" or a name NormalizeAll accepts.
func (n *Normalizer) Has(format string) bool {
	if format == "" || format == "auto" {
		return true
	}
	if _, ok := Lookup(format); ok {
		return true
	}
	return n != nil && n.extraNamed(format) > 0
}

func (n *Normalizer) extraNamed(format string) int {
	c := 0
	for _, f := range n.extra {
		if f.Name() == format {
			c++
		}
	}
	return c
}

// NormalizeAll is the package-level NormalizeAll over the registered and
// the extra formats. Detection ("" or "auto") asks all of them and fails
// when none or several claim the record. A format name shared by several
// extra formats (every generic mapping is "generic") selects the only one,
// else the first whose Detect claims the record, else the first generic
// mapping without a match rule.
func (n *Normalizer) NormalizeAll(format string, raw []byte, emit func(alert.Alert) error) error {
	if n == nil || len(n.extra) == 0 {
		return NormalizeAll(format, raw, emit)
	}
	f, err := n.pick(format, raw)
	if err != nil {
		return err
	}
	if m, ok := f.(Multi); ok {
		err := m.NormalizeAll(raw, func(a alert.Alert) error {
			if a.Raw == nil {
				a.Raw = raw
			}
			return emit(a)
		})
		if err != nil {
			return fmt.Errorf("normalize %s: %w", f.Name(), err)
		}
		return nil
	}
	a, err := f.Normalize(raw)
	if err != nil {
		return fmt.Errorf("normalize %s: %w", f.Name(), err)
	}
	a.Raw = raw
	return emit(a)
}

func (n *Normalizer) pick(format string, raw []byte) (Format, error) {
	if format == "" || format == "auto" {
		return n.detect(raw)
	}
	switch n.extraNamed(format) {
	case 0:
		return pick(format, raw)
	case 1:
		for _, f := range n.extra {
			if f.Name() == format {
				return f, nil
			}
		}
	}
	var found Format
	err := withFields(raw, func(fs Fields) error {
		for _, f := range n.extra {
			if f.Name() == format && f.Detect(fs, raw) {
				found = f
				return nil
			}
		}
		for _, f := range n.extra {
			if c, ok := f.(interface{ catchAll() bool }); ok && f.Name() == format && c.catchAll() {
				found = f
				return nil
			}
		}
		return fmt.Errorf("%w: no %s mapping matches the record", ErrUnknownFormat, format)
	})
	if err != nil && !errors.Is(err, ErrUnknownFormat) {
		err = fmt.Errorf("%w: %w", ErrUnknownFormat, err)
	}
	return found, err
}

// detect is Detect over the registered and the extra formats. Extra
// formats read JSON objects only, so text records go to the
// registered text formats as they would without a Normalizer.
func (n *Normalizer) detect(raw []byte) (Format, error) {
	if isText(raw) {
		return detectText(raw, "")
	}
	var claims []Format
	err := withFields(raw, func(fs Fields) error {
		for _, name := range names {
			f := formats[name]
			if _, text := f.(TextFormat); text {
				continue
			}
			if f.Detect(fs, raw) {
				claims = append(claims, f)
			}
		}
		for _, f := range n.extra {
			if f.Detect(fs, raw) {
				claims = append(claims, f)
			}
		}
		if len(claims) == 0 {
			return fmt.Errorf("%w: no format matches top-level keys %s", ErrUnknownFormat, keyList(fs))
		}
		return nil
	})
	switch {
	case err != nil && !errors.Is(err, ErrUnknownFormat):
		return nil, fmt.Errorf("%w: %w", ErrUnknownFormat, err)
	case err != nil:
		return nil, err
	case len(claims) > 1:
		all := make([]string, len(claims))
		for i, f := range claims {
			all[i] = genericLabel(f)
		}
		return nil, fmt.Errorf("%w: %s all match", ErrAmbiguousFormat, strings.Join(all, ", "))
	}
	return claims[0], nil
}

// genericLabel names a format in messages, with the mapping of a generic
// one ("generic:my_edr").
func genericLabel(f Format) string {
	if g, ok := f.(*generic); ok {
		return g.tag
	}
	return f.Name()
}
