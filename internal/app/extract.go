package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
	"github.com/winnow-soc/winnow/internal/ioc"
)

func runExtract(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "extract", "extract [flags] [FILE|-]")
	var internal stringList
	fs.Var(&internal, "internal-domain", "domain suffix to classify as internal (repeatable)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return ExitUsage
	}
	var in io.Reader = e.stdin
	name := "-"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := ingest.Open(name)
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow extract: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		in = f
	}
	x := ioc.New(ioc.Options{InternalDomains: internal})
	out := bufio.NewWriter(e.stdout)
	if err := extractStream(ctx, x, in, out); err != nil {
		fmt.Fprintf(e.stderr, "winnow extract: %s: %v\n", name, err)
		return ExitRejected
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(e.stderr, "winnow extract: %v\n", err)
		return ExitRejected
	}
	return ExitOK
}

// extractStream writes each distinct observable of the text in r once, in
// order of first appearance. It reads line by line, so memory is bounded by
// the longest line plus the set of distinct observables.
func extractStream(ctx context.Context, x *ioc.Extractor, r io.Reader, w io.Writer) error {
	type key struct {
		t alert.ObservableType
		v string
	}
	seen := map[key]struct{}{}
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []alert.Observable
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			buf = x.Text(buf[:0], line, "text")
			for _, o := range buf {
				k := key{o.Type, o.Value}
				if _, dup := seen[k]; dup {
					continue
				}
				seen[k] = struct{}{}
				if err := enc.Encode(struct {
					Type  alert.ObservableType `json:"type"`
					Value string               `json:"value"`
				}{o.Type, o.Value}); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint([]string(*s)) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }
