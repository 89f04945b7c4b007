package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// readCSV emits each row of r after the header as a JSON object mapping the
// header's names to the row's cells, in header order. Quoting follows RFC
// 4180; a row's Line is the line it starts on, even when a quoted cell
// spans several.
func readCSV(ctx context.Context, r *bufio.Reader, name string, emit func(Record) error, onErr func(RecordError)) error {
	if err := skipBOM(r); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	lim := &csvLimiter{r: r}
	cr := csv.NewReader(lim)
	cr.Comma = csvDelimiter(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read %s: csv header: %w", name, err)
	}
	if p := csvHeaderProblem(header); p != "" {
		return fmt.Errorf("read %s: csv header: %s", name, p)
	}
	keys := make([][]byte, len(header))
	for i, h := range header {
		if keys[i], err = json.Marshal(h); err != nil {
			return fmt.Errorf("read %s: csv header: %w", name, err)
		}
	}
	var obj bytes.Buffer
	enc := json.NewEncoder(&obj)
	enc.SetEscapeHTML(false)
	for index := 0; ; index++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		lim.mark = cr.InputOffset()
		row, err := cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
			onErr(RecordError{File: name, Line: pe.StartLine, Err: fmt.Errorf("%w: %d fields, header has %d", ErrCSV, len(row), len(keys))})
			continue
		case errors.As(err, &pe):
			onErr(RecordError{File: name, Line: pe.StartLine, Err: fmt.Errorf("%w: %w", ErrCSV, pe.Err)})
			continue
		case err != nil:
			return fmt.Errorf("read %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		obj.Reset()
		obj.WriteByte('{')
		for i, cell := range row {
			if i > 0 {
				obj.WriteByte(',')
			}
			obj.Write(keys[i])
			obj.WriteByte(':')
			if err := enc.Encode(cell); err != nil {
				return fmt.Errorf("read %s: encode row at line %d: %w", name, line, err)
			}
			obj.Truncate(obj.Len() - 1) // Encode's newline
		}
		obj.WriteByte('}')
		rec := Record{File: name, Line: line, Index: index, Data: bytes.Clone(obj.Bytes()), Kind: KindCSV}
		if err := emit(rec); err != nil {
			return err
		}
	}
}

// csvDelimiter picks the delimiter of the header at the start of r (which
// Sniff found to be CSV): the one that splits it into the most columns.
func csvDelimiter(r *bufio.Reader) rune {
	head, _ := r.Peek(sniffSize)
	atEOF := len(head) < sniffSize
	if !atEOF {
		if nl := bytes.LastIndexByte(head, '\n'); nl >= 0 {
			head = head[:nl+1]
		}
	}
	best, width := ',', 0
	for _, d := range csvDelimiters {
		if n := csvHeaderWidth(head, d); n > width {
			best, width = d, n
		}
	}
	return best
}

// csvLimiter fails the read once a single row passes MaxRecordSize, which
// encoding/csv would otherwise buffer without bound (an unclosed quote makes
// the rest of the input one cell).
type csvLimiter struct {
	r    io.Reader
	n    int64 // bytes read so far
	mark int64 // input offset at which the current row starts
}

func (l *csvLimiter) Read(p []byte) (int, error) {
	if l.n-l.mark > MaxRecordSize+sniffSize {
		return 0, fmt.Errorf("csv row at byte %d: %w", l.mark, ErrTooLarge)
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}
