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

// Record is one JSON object read from the input.
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
// one (then continues). Gzip input is recognised by its magic bytes. If the
// first non-space byte is '[' the input is read as an array whose elements
// are the records; otherwise each top-level JSON value is one record, and a
// value that does not parse is reported at its first line and reading
// resumes at the line after it, so one broken NDJSON line loses nothing
// else. Read returns a non-nil error only for I/O failures, cancellation of
// ctx, or an error returned by emit (returned as is). onErr may be nil.
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
	s := &scanner{
		ctx:   ctx,
		r:     src,
		name:  name,
		buf:   make([]byte, 0, 64<<10),
		line:  1,
		emit:  emit,
		onErr: onErr,
	}
	return s.run()
}
