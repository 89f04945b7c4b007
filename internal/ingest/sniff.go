package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
)

// Kind is the shape of an input stream, decided once from its start.
type Kind int

// The kinds of input Read understands.
const (
	KindJSON Kind = iota // NDJSON, one object, an array, concatenated objects
	KindText             // one record per non-empty line (CEF, LEEF, syslog)
	KindCSV              // a header row, then one record per row
)

func (k Kind) String() string {
	switch k {
	case KindJSON:
		return "json"
	case KindText:
		return "text"
	case KindCSV:
		return "csv"
	}
	return "unknown"
}

// sniffSize is how much of the input Sniff sees: enough for a header row and
// usually a first data row of a wide CSV export.
const sniffSize = 64 << 10

// csvDelimiters are the delimiters a CSV header may use; U+2756 is the one
// Microsoft's SecRL Sentinel exports use.
var csvDelimiters = []rune{',', ';', '\t', '❖'}

// maxHeaderName bounds a CSV column name: longer "names" mean the first line
// is prose that happens to hold a delimiter.
const maxHeaderName = 256

// Sniff decides the kind of an input from its first bytes (after any BOM;
// gzip must already be removed), looking at the first non-empty line: '{'
// or '[' first means JSON; a line holding "CEF:" or "LEEF:" means text, even
// after a syslog header; a header of two or more distinct, non-empty names
// with one delimiter among ',' ';' TAB and '❖', which the next row (when
// head holds it whole) splits into as many fields, means CSV; anything else
// is text. atEOF reports that head is the whole input.
func Sniff(head []byte, atEOF bool) Kind {
	head = bytes.TrimPrefix(head, bom)
	start := 0
	for start < len(head) && isSpace(head[start]) {
		start++
	}
	if start == len(head) || head[start] == '{' || head[start] == '[' {
		return KindJSON
	}
	line := head[start:]
	if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	if bytes.Contains(line, []byte("CEF:")) || bytes.Contains(line, []byte("LEEF:")) {
		return KindText
	}
	// The CSV check sees the input as encoding/csv will read it, so that
	// Read finds the header Sniff accepted.
	if !atEOF {
		// Parse only whole lines, so that a row cut by the window is not
		// taken for a short one.
		if nl := bytes.LastIndexByte(head, '\n'); nl >= 0 {
			head = head[:nl+1]
		}
	}
	best := 0
	for _, d := range csvDelimiters {
		if n := csvHeaderWidth(head, d); n > best {
			best = n
		}
	}
	if best >= 2 {
		return KindCSV
	}
	return KindText
}

// csvHeaderWidth returns the number of columns of head's header row under
// delimiter d, or 0 when the row is no plausible header or the row after it
// disagrees.
func csvHeaderWidth(head []byte, d rune) int {
	if !bytes.ContainsRune(head, d) {
		return 0
	}
	r := csv.NewReader(bytes.NewReader(head))
	r.Comma = d
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil || len(header) < 2 || csvHeaderProblem(header) != "" {
		return 0
	}
	row, err := r.Read()
	var pe *csv.ParseError
	switch {
	case err == nil && len(row) != len(header):
		return 0
	case err != nil && !errors.Is(err, io.EOF) && !errors.As(err, &pe):
		return 0
	}
	return len(header)
}

// csvHeaderProblem explains why a row cannot be a header, or returns "".
func csvHeaderProblem(header []string) string {
	for i, h := range header {
		switch {
		case strings.TrimSpace(h) == "":
			return "empty column name"
		case len(h) > maxHeaderName:
			return "column name too long"
		case slices.Contains(header[:i], h):
			return "duplicate column name " + h
		}
	}
	return ""
}

// sniffReader peeks at the start of r and returns its kind; r is not
// advanced.
func sniffReader(r *bufio.Reader) (Kind, error) {
	// Read ahead only as far as deciding needs, so that a slow stream of
	// JSON or CEF/LEEF lines (stdin fed by tail -f) is not held back until
	// 64 KiB have arrived.
	for {
		want := r.Buffered() + 1
		if want > sniffSize {
			want = sniffSize
		}
		head, err := r.Peek(want)
		switch {
		case errors.Is(err, io.EOF):
			return Sniff(head, true), nil
		case err != nil && !errors.Is(err, bufio.ErrBufferFull):
			if len(head) == 0 {
				return 0, err
			}
			// Decide from what arrived; the reader returns the error
			// again once those bytes are consumed, after their records.
			return Sniff(head, false), nil
		case len(head) >= sniffSize || decidable(head):
			return Sniff(head, false), nil
		}
	}
}

// decidable reports whether head holds enough to choose a kind whatever
// follows: the first non-space byte opens a JSON value, or the first
// non-empty line is whole and names CEF or LEEF. A possible CSV header needs
// the window full (or the end of input), because Sniff checks it against
// the rows that follow and its verdict must not depend on how the input
// was chunked.
func decidable(head []byte) bool {
	head = bytes.TrimPrefix(head, bom)
	i := 0
	for i < len(head) && isSpace(head[i]) {
		i++
	}
	if i == len(head) {
		return false
	}
	if head[i] == '{' || head[i] == '[' {
		return true
	}
	nl := bytes.IndexByte(head[i:], '\n')
	if nl < 0 {
		return false
	}
	line := head[i : i+nl]
	return bytes.Contains(line, []byte("CEF:")) || bytes.Contains(line, []byte("LEEF:"))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
