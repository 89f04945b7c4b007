package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// frameStatus is how framing one JSON value ended.
type frameStatus int

const (
	frameOK        frameStatus = iota // a balanced value is at buf[start:pos]
	frameTruncated                    // the input ended inside the value
	frameTooLarge                     // the value passed MaxRecordSize
)

// scanner splits a byte stream into top-level JSON values without decoding
// them. It keeps a sliding window over the input holding at most the record
// being framed, so memory is bounded by MaxRecordSize plus one read.
type scanner struct {
	ctx   context.Context
	r     io.Reader
	name  string
	buf   []byte // window; buf[pos:] is unread
	pos   int
	keep  int // start of bytes fill must retain, -1 for none
	eof   bool
	line  int // line number of buf[pos]
	index int
	emit  func(Record) error
	onErr func(RecordError)
}

var bom = []byte{0xef, 0xbb, 0xbf}

func (s *scanner) run() error {
	s.keep = -1
	for len(s.buf)-s.pos < len(bom) {
		more, err := s.fill()
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	if bytes.HasPrefix(s.buf[s.pos:], bom) {
		s.pos += len(bom)
	}
	for {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		b, ok, err := s.skipSpace()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if b == '[' {
			s.pos++
			err = s.array()
		} else {
			err = s.topValue(b)
		}
		if err != nil {
			return err
		}
	}
}

// fill reads more input into the window, first dropping bytes before pos
// (or keep). It reports whether new bytes arrived.
func (s *scanner) fill() (bool, error) {
	if s.eof {
		return false, nil
	}
	drop := s.pos
	if s.keep >= 0 && s.keep < drop {
		drop = s.keep
	}
	if drop > 0 {
		n := copy(s.buf, s.buf[drop:])
		s.buf = s.buf[:n]
		s.pos -= drop
		if s.keep >= 0 {
			s.keep -= drop
		}
	}
	if len(s.buf) == cap(s.buf) {
		nb := make([]byte, len(s.buf), 2*cap(s.buf))
		copy(nb, s.buf)
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
			return n > 0, nil
		}
		if err != nil {
			return false, fmt.Errorf("read %s: %w", s.name, err)
		}
		if n > 0 {
			return true, nil
		}
	}
}

// skipSpace advances past JSON whitespace, counting lines, and returns the
// next byte without consuming it; ok is false at the end of input.
func (s *scanner) skipSpace() (b byte, ok bool, err error) {
	for {
		for s.pos < len(s.buf) {
			switch c := s.buf[s.pos]; c {
			case '\n':
				s.line++
			case ' ', '\t', '\r':
			default:
				return c, true, nil
			}
			s.pos++
		}
		more, err := s.fill()
		if err != nil || !more {
			return 0, false, err
		}
	}
}

// frame consumes one object or array starting at pos and returns where it
// starts in the window. With rewindable set an oversized value is left in
// the window (so the caller can resume at its second line); otherwise its
// bytes are discarded as they are scanned.
func (s *scanner) frame(rewindable bool) (start int, st frameStatus, err error) {
	s.keep = s.pos
	defer func() { s.keep = -1 }()
	depth, inStr, esc, discarding := 0, false, false, false
	i := s.pos
	for {
		if i >= len(s.buf) {
			if !discarding && i-s.keep > MaxRecordSize {
				if rewindable {
					s.pos = i
					return s.keep, frameTooLarge, nil
				}
				discarding = true
			}
			if discarding {
				s.line += bytes.Count(s.buf[s.keep:i], []byte{'\n'})
				s.keep = i
			}
			s.pos = i
			more, err := s.fill()
			if err != nil {
				return 0, 0, err
			}
			i = s.pos
			if !more {
				s.line += bytes.Count(s.buf[s.keep:i], []byte{'\n'})
				if discarding {
					return s.keep, frameTooLarge, nil
				}
				return s.keep, frameTruncated, nil
			}
			continue
		}
		if inStr {
			if esc {
				esc = false
				i++
				continue
			}
			rest := s.buf[i:]
			q := bytes.IndexByte(rest, '"')
			lim := rest
			if q >= 0 {
				lim = rest[:q]
			}
			if bs := bytes.IndexByte(lim, '\\'); bs >= 0 {
				i += bs + 1
				esc = true
				continue
			}
			if q < 0 {
				i = len(s.buf)
				continue
			}
			i += q + 1
			inStr = false
			continue
		}
		switch s.buf[i] {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				i++
				s.pos = i
				s.line += bytes.Count(s.buf[s.keep:i], []byte{'\n'})
				if discarding || i-s.keep > MaxRecordSize {
					return s.keep, frameTooLarge, nil
				}
				return s.keep, frameOK, nil
			}
		}
		i++
	}
}

// token consumes a scalar or stray text up to the next delimiter in stop
// and returns it (it may be cut short at MaxRecordSize).
func (s *scanner) token(stop string) ([]byte, error) {
	s.keep = s.pos
	defer func() { s.keep = -1 }()
	i := s.pos
	for {
		for ; i < len(s.buf); i++ {
			if bytes.IndexByte([]byte(stop), s.buf[i]) >= 0 || i-s.keep > MaxRecordSize {
				s.pos = i
				return s.buf[s.keep:i], nil
			}
		}
		s.pos = i
		more, err := s.fill()
		if err != nil {
			return nil, err
		}
		i = s.pos
		if !more {
			return s.buf[s.keep:i], nil
		}
	}
}

// topValue reads one top-level value in value-stream mode.
func (s *scanner) topValue(b byte) error {
	line := s.line
	s.index++
	if b != '{' {
		tok, err := s.token("\n")
		if err != nil {
			return err
		}
		s.fail(line, scalarError(tok))
		return nil
	}
	start, st, err := s.frame(true)
	if err != nil {
		return err
	}
	rec := s.buf[start:s.pos]
	var rerr error
	switch st {
	case frameOK:
		if jsonscan.Valid(rec) {
			return s.deliver(line, s.index-1, rec)
		}
		rerr = syntaxError(rec)
	case frameTruncated:
		rerr = ErrTruncated
	case frameTooLarge:
		rerr = ErrTooLarge
	}
	s.fail(line, rerr)
	// Resume at the line after the one the bad value started on: in NDJSON
	// that is the next record, whatever the broken line left open.
	if nl := bytes.IndexByte(rec, '\n'); nl >= 0 {
		s.pos = start + nl + 1
		s.line = line + 1
	}
	return nil
}

// array reads the elements of a top-level array; the '[' is consumed.
func (s *scanner) array() error {
	needComma := false
	for {
		b, ok, err := s.skipSpace()
		if err != nil {
			return err
		}
		if !ok {
			s.fail(s.line, fmt.Errorf("%w: array not closed", ErrTruncated))
			return nil
		}
		switch {
		case b == ']':
			s.pos++
			return nil
		case b == ',' && needComma:
			s.pos++
			needComma = false
			continue
		case b == ',':
			s.fail(s.line, fmt.Errorf("%w: unexpected ',' in array", ErrSyntax))
			s.pos++
			continue
		case needComma:
			s.fail(s.line, fmt.Errorf("%w: expected ',' or ']' after array element", ErrSyntax))
		}
		needComma = true
		done, err := s.element(b)
		if err != nil || done {
			return err
		}
	}
}

// element reads one array element; done reports that the input ended.
func (s *scanner) element(b byte) (done bool, err error) {
	line := s.line
	idx := s.index
	s.index++
	if b != '{' && b != '[' {
		tok, err := s.token(" \t\r\n,]")
		if err != nil {
			return false, err
		}
		s.fail(line, scalarError(tok))
		return false, nil
	}
	start, st, err := s.frame(false)
	if err != nil {
		return false, err
	}
	switch st {
	case frameTruncated:
		s.fail(line, ErrTruncated)
		return true, nil
	case frameTooLarge:
		s.fail(line, ErrTooLarge)
		return false, nil
	}
	rec := s.buf[start:s.pos]
	switch {
	case !jsonscan.Valid(rec):
		s.fail(line, syntaxError(rec))
	case b != '{':
		s.fail(line, ErrNotObject)
	default:
		return false, s.deliver(line, idx, rec)
	}
	return false, nil
}

func (s *scanner) deliver(line, idx int, rec []byte) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	return s.emit(Record{File: s.name, Line: line, Index: idx, Data: bytes.Clone(rec), Kind: KindJSON})
}

func (s *scanner) fail(line int, err error) {
	s.onErr(RecordError{File: s.name, Line: line, Err: err})
}

// scalarError classifies a top-level value that is not an object.
func scalarError(tok []byte) error {
	tok = bytes.TrimSpace(tok)
	if jsonscan.Valid(tok) {
		return ErrNotObject
	}
	return fmt.Errorf("%w: unexpected %q", ErrSyntax, truncate(tok))
}

// syntaxError explains why a framed value is not valid JSON.
func syntaxError(rec []byte) error {
	var v json.RawMessage
	if err := json.Unmarshal(rec, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return ErrSyntax
}

func truncate(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
