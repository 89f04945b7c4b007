package ingest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

type failAfter struct {
	r   io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, f.err
	}
	return n, err
}

// TestReadKeepsRecordsBeforeError: records that arrived before a read error
// are emitted, then the error is returned.
func TestReadKeepsRecordsBeforeError(t *testing.T) {
	boom := errors.New("connection reset")
	for _, c := range []struct {
		name, input string
		want        int
	}{
		{"json", "{\"a\":1}\n{\"a\":2}\n", 2},
		{"cef", "CEF:0|v|p|1|100|name|5|src=10.0.0.1\nCEF:0|v|p|1|101|name|5|src=10.0.0.2\n", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			err := Read(context.Background(), &failAfter{strings.NewReader(c.input), boom}, "in", func(Record) error { n++; return nil }, nil)
			if !errors.Is(err, boom) {
				t.Errorf("err = %v, want the read error", err)
			}
			if n != c.want {
				t.Errorf("%d records emitted before the error, want %d", n, c.want)
			}
		})
	}
}

// slowReader hands out one byte per Read, like a pipe fed slowly.
type slowReader struct{ s string }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// TestReadDoesNotWaitForWindow: the first JSON record is emitted as soon as
// it is complete, before the rest of the stream has arrived.
func TestReadDoesNotWaitForWindow(t *testing.T) {
	pr, pw := io.Pipe()
	got := make(chan Record, 1)
	done := make(chan error, 1)
	go func() {
		done <- Read(context.Background(), pr, "stdin", func(r Record) error { got <- r; return nil }, nil)
	}()
	if _, err := io.Copy(pw, &slowReader{"{\"a\":1}\n"}); err != nil {
		t.Fatal(err)
	}
	var r Record
	select {
	case r = <-got:
	case <-time.After(30 * time.Second): // a hang guard, not a speed check
		t.Fatal("the first record was not emitted while the stream stayed open")
	}
	if string(r.Data) != `{"a":1}` {
		t.Errorf("record = %s", r.Data)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Errorf("Read: %v", err)
	}
}
