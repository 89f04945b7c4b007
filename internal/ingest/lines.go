package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// readLines emits each non-empty line of r as a text record, without its
// line ending. A line over MaxRecordSize is reported and skipped without
// being buffered whole.
func readLines(ctx context.Context, r *bufio.Reader, name string, emit func(Record) error, onErr func(RecordError)) error {
	if err := skipBOM(r); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var buf []byte
	line, index := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line++
		buf = buf[:0]
		tooLarge := false
		var err error
		for {
			var chunk []byte
			chunk, err = r.ReadSlice('\n')
			if !tooLarge {
				if len(buf)+len(chunk) > MaxRecordSize+2 { // +2: the CRLF that is cut
					tooLarge = true
					buf = buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", name, err)
		}
		data := bytes.TrimRight(buf, "\r\n")
		if len(data) > MaxRecordSize {
			tooLarge = true
		}
		switch {
		case tooLarge:
			onErr(RecordError{File: name, Line: line, Err: ErrTooLarge})
			index++
		case len(bytes.TrimSpace(data)) > 0:
			rec := Record{File: name, Line: line, Index: index, Data: bytes.Clone(data), Kind: KindText}
			index++
			if err := emit(rec); err != nil {
				return err
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

// skipBOM consumes a UTF-8 byte order mark at the start of r.
func skipBOM(r *bufio.Reader) error {
	b, err := r.Peek(len(bom))
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if bytes.Equal(b, bom) {
		_, err = r.Discard(len(bom))
		return err
	}
	return nil
}
