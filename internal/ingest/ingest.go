package ingest

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxRecordSize is the largest record Read accepts; larger ones are reported
// as a RecordError and skipped.
const MaxRecordSize = 16 << 20

// Record is one record read from the input: a JSON object, a text line, or
// a CSV row encoded as a JSON object.
type Record struct {
	// File is the name the input was opened under ("-" for stdin).
	File string
	// Line is the 1-based line on which the record starts.
	Line int
	// Index is the 0-based position of the record among all top-level
	// values of the input, malformed ones included.
	Index int
	// Data is the record's bytes. It is a fresh slice that the caller owns.
	Data []byte
	// Kind is the shape of the input the record came from.
	Kind Kind
}

// RecordError reports one malformed or oversized record; reading goes on
// after it.
type RecordError struct {
	File string
	Line int
	Err  error
}

func (e RecordError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e RecordError) Unwrap() error { return e.Err }

// Errors carried by RecordError.
var (
	ErrTooLarge  = errors.New("record exceeds 16 MiB")
	ErrNotObject = errors.New("record is not a JSON object")
	ErrSyntax    = errors.New("invalid JSON")
	ErrTruncated = errors.New("unexpected end of input")
	ErrCSV       = errors.New("invalid CSV row")
)

// Open opens a named input for Read; "-" is standard input, which closing
// leaves open.
func Open(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	return f, nil
}

// Read calls emit for each record of r in order and onErr for each malformed
// one (then continues). Gzip input is recognised by its magic bytes, and the
// input's Kind by its first non-empty line (see Sniff).
//
// JSON: if the first non-space byte is '[' the input is read as an array
// whose elements are the records; otherwise each top-level JSON value is one
// record, and a value that does not parse is reported at its first line and
// reading resumes at the line after it, so one broken NDJSON line loses
// nothing else. Text: each non-empty line is a record, without its line
// ending. CSV: the first row is the header and each further row a record
// whose Data is a JSON object of string values in header order; a row with
// the wrong number of fields is reported and skipped.
//
// Read returns a non-nil error only for I/O failures, cancellation of ctx,
// an error returned by emit (returned as is), a CSV header that cannot be
// used, or a CSV row over MaxRecordSize (whose end cannot be found without
// buffering it). onErr may be nil.
func Read(ctx context.Context, r io.Reader, name string, emit func(Record) error, onErr func(RecordError)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var src io.Reader = br
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("open gzip %s: %w", name, err)
		}
		defer zr.Close()
		src = zr
	}
	if onErr == nil {
		onErr = func(RecordError) {}
	}
	sr := bufio.NewReaderSize(src, sniffSize)
	kind, err := sniffReader(sr)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	switch kind {
	case KindText:
		return readLines(ctx, sr, name, emit, onErr)
	case KindCSV:
		return readCSV(ctx, sr, name, emit, onErr)
	}
	s := &scanner{
		ctx:   ctx,
		r:     sr,
		name:  name,
		buf:   make([]byte, 0, 64<<10),
		line:  1,
		emit:  emit,
		onErr: onErr,
	}
	return s.run()
}
