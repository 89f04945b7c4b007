package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
	"github.com/winnow-soc/winnow/internal/normalize"
)

// Input is one named stream of alert records.
type Input struct {
	Name string
	R    io.Reader
}

// Rejection is a record that could not be decided, with where it came from.
type Rejection struct {
	File string
	Line int
	Err  error
}

func (r Rejection) String() string {
	return fmt.Sprintf("%s:%d: %v", r.File, r.Line, r.Err)
}

// Stats counts what a run did.
type Stats struct {
	Records  int // records read, including rejected ones
	Decided  int // alerts decided; an envelope record may hold several
	Rejected int // records rejected
}

// Runner streams records through normalisation and the engine and writes one
// decision per line, in input order.
type Runner struct {
	Engine *Engine
	// Format is the normaliser to use; "" or "auto" detects per record.
	Format string
	// Normalizer adds run-time formats (configured generic mappings) to
	// the registered ones; nil means the registered formats only.
	Normalizer *normalize.Normalizer
	// Tenant, when set, is given to every alert.
	Tenant string
	// Workers decide batches in parallel; 0 means GOMAXPROCS.
	Workers int
	// OnReject is called, in input order, for every rejected record.
	OnReject func(Rejection)
	// Session, when set, adds the stateful stages (history, correlation):
	// alerts are then prepared in parallel and finished one at a time, in
	// input order.
	Session *Session
	// Sink, when set, receives every decision in input order with its
	// alert, before the decision is written (persistence, audit). An error
	// stops the run.
	Sink func(p *Prepared, d *alert.Decision) error
}

// sequential reports whether decisions are finished in the ordered loop
// rather than by the workers.
func (r *Runner) sequential() bool { return r.Session != nil || r.Sink != nil }

const batchSize = 256

type item struct {
	rec ingest.Record
	rej *Rejection
	// prepared holds the record's alerts after the stateless stages, when
	// the runner finishes them sequentially.
	prepared []*Prepared
}

type batch struct {
	items []item
	out   bytes.Buffer
	rejs  []Rejection
	// decided counts alerts decided: an envelope record may hold several.
	decided int
	done    chan struct{}
}

// Run processes the inputs in order and writes decisions to w. It returns
// an error only when reading or writing fails or ctx is cancelled; rejected
// records are counted and reported through OnReject.
func (r *Runner) Run(ctx context.Context, inputs []Input, w io.Writer) (Stats, error) {
	workers := r.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				r.decideBatch(b)
				close(b.done)
			}
		}()
	}

	var readErr error
	var stats Stats
	go func() {
		defer close(order)
		defer close(work)
		cur := &batch{done: make(chan struct{})}
		flush := func() bool {
			if len(cur.items) == 0 {
				return true
			}
			select {
			case order <- cur:
			case <-ctx.Done():
				return false
			}
			work <- cur
			cur = &batch{done: make(chan struct{})}
			return true
		}
		for _, in := range inputs {
			err := ingest.Read(ctx, in.R, in.Name, func(rec ingest.Record) error {
				cur.items = append(cur.items, item{rec: rec})
				if len(cur.items) == batchSize && !flush() {
					return ctx.Err()
				}
				return nil
			}, func(re ingest.RecordError) {
				cur.items = append(cur.items, item{rej: &Rejection{File: re.File, Line: re.Line, Err: re.Err}})
			})
			if err != nil {
				readErr = fmt.Errorf("read %s: %w", in.Name, err)
				break
			}
		}
		flush()
	}()

	var writeErr error
	seq := r.sequential()
	for b := range order {
		<-b.done
		if seq && writeErr == nil {
			if err := r.finishBatch(b); err != nil {
				writeErr = err
				cancel()
			}
		}
		stats.Records += len(b.items)
		stats.Rejected += len(b.rejs)
		stats.Decided += b.decided
		if r.OnReject != nil {
			for _, rj := range b.rejs {
				r.OnReject(rj)
			}
		}
		if writeErr == nil {
			if _, err := w.Write(b.out.Bytes()); err != nil {
				writeErr = fmt.Errorf("write decisions: %w", err)
				cancel()
			}
		}
	}
	wg.Wait()
	switch {
	case writeErr != nil:
		return stats, writeErr
	case readErr != nil:
		return stats, readErr
	}
	return stats, ctx.Err()
}

func (r *Runner) decideBatch(b *batch) {
	enc := json.NewEncoder(&b.out)
	enc.SetEscapeHTML(false)
	for i := range b.items {
		it := &b.items[i]
		if it.rej != nil {
			b.rejs = append(b.rejs, *it.rej)
			continue
		}
		// A record is decided whole or rejected whole: decisions of an
		// envelope whose later element fails are not written.
		if r.sequential() {
			err := r.Normalizer.NormalizeAll(r.Format, it.rec.Data, func(a alert.Alert) error {
				if r.Tenant != "" {
					a.Tenant = r.Tenant
				}
				p, err := r.Engine.Prepare(&a)
				if err != nil {
					return err
				}
				it.prepared = append(it.prepared, p)
				return nil
			})
			if err != nil {
				it.prepared = nil
				it.rej = &Rejection{File: it.rec.File, Line: it.rec.Line, Err: err}
				b.rejs = append(b.rejs, *it.rej)
			}
			continue
		}
		mark := b.out.Len()
		err := r.Normalizer.NormalizeAll(r.Format, it.rec.Data, func(a alert.Alert) error {
			if r.Tenant != "" {
				a.Tenant = r.Tenant
			}
			d, err := r.Engine.Decide(&a)
			if err != nil {
				return err
			}
			b.decided++
			if err := enc.Encode(&d); err != nil {
				return fmt.Errorf("encode decision: %w", err)
			}
			return nil
		})
		if err != nil {
			b.out.Truncate(mark)
			b.rejs = append(b.rejs, Rejection{File: it.rec.File, Line: it.rec.Line, Err: err})
		}
	}
}

// finishBatch decides a batch's prepared alerts in input order with the
// session, hands each decision to the sink and encodes it into b.out.
func (r *Runner) finishBatch(b *batch) error {
	enc := json.NewEncoder(&b.out)
	enc.SetEscapeHTML(false)
	for i := range b.items {
		for _, p := range b.items[i].prepared {
			var d alert.Decision
			if r.Session != nil {
				d = r.Session.Finish(p)
			} else {
				d = r.Engine.conclude(p, nil)
			}
			if r.Sink != nil {
				if err := r.Sink(p, &d); err != nil {
					return fmt.Errorf("store decision: %w", err)
				}
			}
			b.decided++
			if err := enc.Encode(&d); err != nil {
				return fmt.Errorf("encode decision: %w", err)
			}
		}
	}
	return nil
}
