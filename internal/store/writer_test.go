package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// observed is a real SQLite store that records the size of every batch and
// can hold SaveBatch until released.
type observed struct {
	*SQLite
	mu    sync.Mutex
	sizes []int
	hold  chan struct{} // when set, SaveBatch waits for it to close
}

func (o *observed) SaveBatch(ctx context.Context, items []Item) error {
	if o.hold != nil {
		select {
		case <-o.hold:
		case <-ctx.Done():
			return fmt.Errorf("held batch: %w", ctx.Err())
		}
	}
	o.mu.Lock()
	o.sizes = append(o.sizes, len(items))
	o.mu.Unlock()
	return o.SQLite.SaveBatch(ctx, items)
}

func (o *observed) batches() []int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int(nil), o.sizes...)
}

func count(t *testing.T, s Store, tenant string) int {
	t.Helper()
	recs, err := s.Alerts(context.Background(), Query{Tenant: tenant, Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func TestWriterBatches(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	o := &observed{SQLite: s}
	w := NewWriter(o, 10, time.Hour) // only size and Flush trigger a save
	for _, it := range samples("acme", 0, 25) {
		if err := w.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(o.batches()); got != "[10 10 5]" {
		t.Errorf("batch sizes %s, want [10 10 5]", got)
	}
	if n := count(t, s, "acme"); n != 25 {
		t.Errorf("%d alerts stored after Flush, want 25", n)
	}
	if err := w.Add(ctx, sample("acme", 25)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "acme"); n != 26 {
		t.Errorf("%d alerts stored after Close, want 26", n)
	}
	if err := w.Add(ctx, sample("acme", 26)); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: err = %v, want ErrClosed", err)
	}
	if err := w.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestWriterDelay(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	w := NewWriter(s, 1000, time.Millisecond)
	defer w.Close(ctx)
	for _, it := range samples("acme", 0, 3) {
		if err := w.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	// No Flush: the delay alone must save the partial batch. The deadline
	// only bounds a broken Writer; it asserts nothing about speed.
	for deadline := time.Now().Add(30 * time.Second); count(t, s, "acme") != 3; {
		if time.Now().After(deadline) {
			t.Fatal("a partial batch was never saved")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriterStickyError(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	w := NewWriter(s, 4, time.Hour)
	items := samples("acme", 0, 6)
	items[1].Alert.Tenant = "" // fails its whole batch
	for _, it := range items[:4] {
		if err := w.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	err := w.Flush(ctx)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Flush: err = %v, want ErrInvalid", err)
	}
	if err := w.Add(ctx, items[4]); !errors.Is(err, ErrInvalid) {
		t.Errorf("Add after a failed batch: err = %v, want the first error", err)
	}
	if err := w.Close(ctx); !errors.Is(err, ErrInvalid) {
		t.Errorf("Close: err = %v, want the first error", err)
	}
	if n := count(t, s, "acme"); n != 0 {
		t.Errorf("%d alerts of the failed batch stored", n)
	}
}

func TestWriterBackpressure(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	o := &observed{SQLite: s, hold: make(chan struct{})}
	w := NewWriter(o, 2, time.Hour)
	items := samples("acme", 0, 5)
	// Two items form a batch that blocks in SaveBatch; two more fill the queue.
	for _, it := range items[:4] {
		if err := w.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := w.Add(short, items[4]); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Add on a full queue: err = %v, want it to block until ctx ends", err)
	}
	close(o.hold)
	if err := w.Add(ctx, items[4]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "acme"); n != 5 {
		t.Errorf("%d alerts stored, want 5", n)
	}
}

func TestWriterConcurrentAdds(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	w := NewWriter(s, 16, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for _, it := range samples("acme", g*50, 50) {
				if err := w.Add(ctx, it); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "acme"); n != 200 {
		t.Errorf("%d alerts stored, want 200", n)
	}
}

func TestWriterCloseCancelled(t *testing.T) {
	s, _ := openTemp(t)
	o := &observed{SQLite: s, hold: make(chan struct{})}
	w := NewWriter(o, 1, time.Hour)
	if err := w.Add(context.Background(), sample("acme", 0)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The batch is held in SaveBatch until Close gives up and cancels it.
	if err := w.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with a cancelled ctx: err = %v", err)
	}
	if err := w.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("the cancelled batch is not reported: Err() = %v", err)
	}
}

func TestWriterCloseUnblocksAdd(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	o := &observed{SQLite: s, hold: make(chan struct{})}
	w := NewWriter(o, 1, time.Hour)
	// One item blocks in SaveBatch, one waits in the queue, the third Add blocks.
	for _, it := range samples("acme", 0, 2) {
		if err := w.Add(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	blocked := make(chan error, 1)
	go func() { blocked <- w.Add(ctx, sample("acme", 2)) }()
	closed := make(chan error, 1)
	go func() { closed <- w.Close(ctx) }()
	// The queue stays full until hold is released, so the Add cannot have
	// succeeded: Close must release it with ErrClosed.
	if err := <-blocked; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked Add: err = %v, want ErrClosed", err)
	}
	close(o.hold)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "acme"); n != 2 {
		t.Errorf("%d alerts stored, want the 2 queued before Close", n)
	}
}
