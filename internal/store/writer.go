package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Writer batches items for a Store: the pipeline adds decided alerts one at
// a time and the Writer saves them maxBatch at a time, or after maxDelay when
// fewer arrive, in one transaction each, in the order added. Add blocks when
// a full batch is already waiting (backpressure). The first SaveBatch error
// is sticky: later Adds, Flush and Close return it, since the items of the
// failed batch are not stored, and nothing more is written. Methods are safe for concurrent use.
type Writer struct {
	st       Store
	maxBatch int
	maxDelay time.Duration

	in     chan writeReq
	done   chan struct{}
	cancel context.CancelFunc

	mu      sync.RWMutex // held for reading while sending on in; Close takes it to close in
	closed  bool
	closing chan struct{} // closed when Close starts: blocked Adds give up
	once    sync.Once

	errMu sync.Mutex
	err   error
}

type writeReq struct {
	item  Item
	flush chan error // set for a flush request, which carries no item
}

// NewWriter starts a Writer over st. maxBatch < 1 means 256; maxDelay <= 0
// means 100ms.
func NewWriter(st Store, maxBatch int, maxDelay time.Duration) *Writer {
	if maxBatch < 1 {
		maxBatch = 256
	}
	if maxDelay <= 0 {
		maxDelay = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{
		st: st, maxBatch: maxBatch, maxDelay: maxDelay,
		in: make(chan writeReq, maxBatch), done: make(chan struct{}), cancel: cancel,
		closing: make(chan struct{}),
	}
	go w.loop(ctx)
	return w
}

// Add queues it for the next batch. A nil error means queued, not stored:
// Flush or Close acknowledge storage. An Add still blocked when Close starts
// returns ErrClosed and its item is not stored.
func (w *Writer) Add(ctx context.Context, it Item) error {
	if err := w.Err(); err != nil {
		return err
	}
	return w.send(ctx, writeReq{item: it})
}

// Flush saves every item added before it and returns the Writer's first
// error, if any.
func (w *Writer) Flush(ctx context.Context) error {
	ch := make(chan error, 1)
	if err := w.send(ctx, writeReq{flush: ch}); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return fmt.Errorf("flush store writer: %w", ctx.Err())
	}
}

// Close saves the remaining items, stops the Writer and returns its first
// error. When ctx ends first, the batch in flight is cancelled and ctx's
// error returned. Close does not close the Store.
func (w *Writer) Close(ctx context.Context) error {
	w.once.Do(func() { close(w.closing) })
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
		return fmt.Errorf("close store writer: %w", ctx.Err())
	}
	w.cancel()
	return w.Err()
}

// Err returns the first error a batch met, or nil.
func (w *Writer) Err() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

func (w *Writer) send(ctx context.Context, r writeReq) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.in <- r:
		return nil
	case <-w.closing:
		return ErrClosed
	case <-ctx.Done():
		return fmt.Errorf("queue store write: %w", ctx.Err())
	}
}

func (w *Writer) loop(ctx context.Context) {
	defer close(w.done)
	batch := make([]Item, 0, w.maxBatch)
	timer := time.NewTimer(w.maxDelay)
	timer.Stop()
	defer timer.Stop()
	save := func() {
		timer.Stop()
		if len(batch) == 0 {
			return
		}
		if w.Err() == nil {
			if err := w.st.SaveBatch(ctx, batch); err != nil {
				w.errMu.Lock()
				w.err = fmt.Errorf("store writer: %d items lost: %w", len(batch), err)
				w.errMu.Unlock()
			}
		}
		clear(batch) // drop references to the alerts for the collector
		batch = batch[:0]
	}
	for {
		select {
		case r, ok := <-w.in:
			if !ok {
				save()
				return
			}
			if r.flush != nil {
				save()
				r.flush <- w.Err()
				continue
			}
			batch = append(batch, r.item)
			if len(batch) == 1 {
				timer.Reset(w.maxDelay)
			}
			if len(batch) >= w.maxBatch {
				save()
			}
		case <-timer.C:
			save()
		}
	}
}
