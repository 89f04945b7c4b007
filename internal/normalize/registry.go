package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/winnow-soc/winnow/alert"
)

// Format normalises one vendor's alert records. Implementations are
// stateless and safe for concurrent use.
type Format interface {
	// Name is the format's registry name and the Source of its alerts
	// ("wazuh", "suricata", "splunk").
	Name() string
	// Detect reports whether the record looks like this format. It is given
	// the record's top-level members, scanned once for all formats, and the
	// raw bytes; it must be cheap and must not claim another format's
	// records.
	Detect(fields Fields, raw []byte) bool
	// Normalize converts the record. It returns an error rather than a
	// partly filled alert when the record is not a valid instance of the
	// format.
	Normalize(raw []byte) (alert.Alert, error)
}

// Multi is implemented by formats whose records may be envelopes holding
// several alerts, such as API list responses ({"value": [...]}). Each alert
// it emits carries its own element as Raw. Formats without it produce
// exactly one alert per record.
type Multi interface {
	NormalizeAll(raw []byte, emit func(alert.Alert) error) error
}

// TextFormat is implemented by formats whose records are text lines
// rather than JSON objects (CEF, LEEF). Detection offers a record whose
// first non-space byte is not '{' only to text formats, through
// DetectText, and a JSON object only to the others, so the two kinds never
// compete. A text format's Detect is never called. Alerts of text records
// keep the line as Raw encoded as one JSON string, since Raw must be JSON.
type TextFormat interface {
	// DetectText reports whether the line is this format's; like Detect it
	// must be cheap and must not claim another format's records.
	DetectText(raw []byte) bool
}

// Errors of format selection.
var (
	ErrUnknownFormat   = errors.New("unknown alert format")
	ErrAmbiguousFormat = errors.New("ambiguous alert format")
)

// formats is the registry. It is written only by Register from init
// functions, before any goroutine can read it, and never changes afterwards.
var formats = map[string]Format{}

// names is the sorted list of registered names, kept with formats.
var names []string

// Register adds a format. It must be called only from init; registering a
// name twice panics, since that is a programming error.
func Register(f Format) {
	name := f.Name()
	if _, dup := formats[name]; dup {
		panic("normalize: format registered twice: " + name)
	}
	formats[name] = f
	names = append(names, name)
	slices.Sort(names)
}

// Lookup returns the format registered under name.
func Lookup(name string) (Format, bool) {
	f, ok := formats[name]
	return f, ok
}

// Names returns the registered format names in sorted order.
func Names() []string { return slices.Clone(names) }

// fieldsPool recycles the member lists detection scans records into.
var fieldsPool = sync.Pool{New: func() any { return new(Fields) }}

// Detect returns the one format that claims raw. It fails with
// ErrUnknownFormat when none does and ErrAmbiguousFormat when several do.
func Detect(raw []byte) (Format, error) { return detect(raw, "") }

// detect is Detect that ignores the format named skip, so that a wrapper
// format can look inside itself without recursing.
func detect(raw []byte, skip string) (Format, error) {
	if isText(raw) {
		return detectText(raw, skip)
	}
	var found Format
	var all []string
	err := withFields(raw, func(fields Fields) error {
		for _, name := range names {
			if name == skip {
				continue
			}
			f := formats[name]
			if _, text := f.(TextFormat); text {
				continue
			}
			if f.Detect(fields, raw) {
				if found != nil {
					all = append(all, found.Name())
				}
				found = f
			}
		}
		if found == nil {
			return fmt.Errorf("%w: no format matches top-level keys %s", ErrUnknownFormat, keyList(fields))
		}
		return nil
	})
	switch {
	case err != nil && !errors.Is(err, ErrUnknownFormat):
		return nil, fmt.Errorf("%w: %w", ErrUnknownFormat, err)
	case err != nil:
		return nil, err
	case len(all) > 0:
		return nil, fmt.Errorf("%w: %s and %s all match", ErrAmbiguousFormat, strings.Join(all, ", "), found.Name())
	}
	return found, nil
}

// isText reports whether raw is a text record: its first non-space byte is
// not '{' (an empty record counts as JSON, which no format claims).
func isText(raw []byte) bool {
	i := scanSpace(raw, 0)
	return i < len(raw) && raw[i] != '{'
}

// detectText is detect for text records, offered to text formats only.
func detectText(raw []byte, skip string) (Format, error) {
	var found []string
	var f Format
	for _, name := range names {
		if name == skip {
			continue
		}
		if tf, ok := formats[name].(TextFormat); ok && tf.DetectText(raw) {
			found = append(found, name)
			f = formats[name]
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no text format matches a record starting %q", ErrUnknownFormat, head(raw))
	case 1:
		return f, nil
	}
	return nil, fmt.Errorf("%w: %s all match", ErrAmbiguousFormat, strings.Join(found, ", "))
}

// head is the start of a record for error messages.
func head(raw []byte) []byte {
	if len(raw) > 40 {
		return raw[:40]
	}
	return raw
}

// rawJSON is what an alert keeps as Raw: the record itself when it is JSON,
// and a text record encoded as a JSON string.
func rawJSON(raw []byte) json.RawMessage {
	if !isText(raw) {
		return raw
	}
	b, err := json.Marshal(string(raw))
	if err != nil { // a string always marshals; keep Raw valid regardless
		return json.RawMessage(`""`)
	}
	return b
}

// withFields scans raw's top-level members into a pooled list and calls fn
// with it; the list must not be kept after fn returns.
func withFields(raw []byte, fn func(Fields) error) error {
	buf := fieldsPool.Get().(*Fields)
	fields, err := ScanFields(raw, (*buf)[:0])
	defer func() {
		clear(fields) // drop references into raw before pooling
		*buf = fields[:0]
		fieldsPool.Put(buf)
	}()
	if err != nil {
		return err
	}
	return fn(fields)
}

// Normalize converts one record. With format "" or "auto" it detects the
// format first (never guessing); otherwise it uses the named format. The
// alert's Raw is raw itself, not a copy, except for a text record, whose
// Raw is the line encoded as a JSON string.
func Normalize(format string, raw []byte) (alert.Alert, error) {
	f, err := pick(format, raw)
	if err != nil {
		return alert.Alert{}, err
	}
	a, err := f.Normalize(raw)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("normalize %s: %w", f.Name(), err)
	}
	a.Raw = rawJSON(raw)
	return a, nil
}

// NormalizeAll converts one record that may hold several alerts, calling
// emit for each in order. It stops at the first error, from the format or
// from emit. A format without Multi emits exactly one alert, as Normalize.
func NormalizeAll(format string, raw []byte, emit func(alert.Alert) error) error {
	f, err := pick(format, raw)
	if err != nil {
		return err
	}
	if m, ok := f.(Multi); ok {
		err := m.NormalizeAll(raw, func(a alert.Alert) error {
			if a.Raw == nil {
				a.Raw = rawJSON(raw)
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
	a.Raw = rawJSON(raw)
	return emit(a)
}

func pick(format string, raw []byte) (Format, error) {
	if format == "" || format == "auto" {
		return Detect(raw)
	}
	f, ok := Lookup(format)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not registered", ErrUnknownFormat, format)
	}
	return f, nil
}

func keyList(fields Fields) string {
	const max = 8
	var b strings.Builder
	b.WriteByte('[')
	for i, f := range fields {
		if i == max {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(f.Key)
	}
	b.WriteByte(']')
	return b.String()
}
