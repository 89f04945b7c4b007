package update

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentSources(t *testing.T) {
	const n = 3 * parallel
	var inflight, peak atomic.Int32
	var arrived atomic.Int32
	barrier := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inflight.Add(1)
		defer inflight.Add(-1)
		for old := peak.Load(); cur > old && !peak.CompareAndSwap(old, cur); old = peak.Load() {
		}
		// The first `parallel` requests wait for each other: a serial
		// updater never gets past here and the test's deadline fails it.
		if arrived.Add(1) == parallel {
			close(barrier)
		}
		select {
		case <-barrier:
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, "feed %s\n", r.URL.Path)
	}))
	defer srv.Close()

	srcs := make([]Source, n)
	for i := range srcs {
		srcs[i] = Source{Name: fmt.Sprintf("f%02d", i), URL: fmt.Sprintf("%s/f%02d", srv.URL, i), File: fmt.Sprintf("f%02d.txt", i)}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	res := Update(ctx, srv.Client(), dir, srcs, nil)
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", srcs[i].Name, r.Err)
		}
		if r.Name != srcs[i].Name {
			t.Errorf("result %d is for %s, want %s (order kept)", i, r.Name, srcs[i].Name)
		}
		want := fmt.Sprintf("feed /%s\n", srcs[i].Name)
		if got := readFile(t, r.Path); string(got) != want {
			t.Errorf("%s holds %q, want %q", r.Path, got, want)
		}
	}
	if got := peak.Load(); got != parallel {
		t.Errorf("peak concurrent requests %d, want exactly %d", got, parallel)
	}
	if got := len(dirNames(t, dir)); got != 2*n {
		t.Errorf("dir holds %d files, want %d", got, 2*n)
	}
}

// TestReaderSeesOldOrNew reads the feed file while a slow download is in
// progress: every read must return the complete old or the complete new
// content, never a mix or a prefix.
func TestReaderSeesOldOrNew(t *testing.T) {
	oldBody := bytes.Repeat([]byte("old line\n"), 8<<10)
	newBody := bytes.Repeat([]byte("new line\n"), 32<<10)
	half := make(chan struct{})
	proceed := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(newBody)))
		w.Write(newBody[:len(newBody)/2])
		w.(http.Flusher).Flush()
		close(half)
		select {
		case <-proceed:
		case <-r.Context().Done():
			return
		}
		w.Write(newBody[len(newBody)/2:])
	}))
	defer srv.Close()

	dir := t.TempDir()
	seedOld(t, dir, "feed.txt", "http://old.invalid/", "", oldBody)
	path := filepath.Join(dir, "feed.txt")
	check := func() error {
		got, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read during update: %w", err)
		}
		if !bytes.Equal(got, oldBody) && !bytes.Equal(got, newBody) {
			return fmt.Errorf("read %d bytes that are neither the old (%d) nor the new (%d) content", len(got), len(oldBody), len(newBody))
		}
		return nil
	}

	var res Result
	done := make(chan struct{})
	go func() {
		defer close(done)
		res = Update(t.Context(), srv.Client(), dir, []Source{{Name: "feed", URL: srv.URL, File: "feed.txt"}}, nil)[0]
	}()

	var wg sync.WaitGroup
	var readErr atomic.Value
	wg.Go(func() {
		for {
			if err := check(); err != nil {
				readErr.Store(err)
				return
			}
			select {
			case <-done:
				return
			default:
			}
		}
	})

	<-half
	// Wait until half the new body is on disk under a temporary name; the
	// feed file itself must still be the old one.
	for tempBytes(t, dir) < int64(len(newBody)/2) {
		time.Sleep(time.Millisecond)
	}
	if got := readFile(t, path); !bytes.Equal(got, oldBody) {
		t.Errorf("mid-download read returned %d bytes, want the old %d", len(got), len(oldBody))
	}
	close(proceed)
	<-done
	wg.Wait()
	if err, _ := readErr.Load().(error); err != nil {
		t.Error(err)
	}
	if res.Err != nil {
		t.Fatalf("Update: %v", res.Err)
	}
	if got := readFile(t, path); !bytes.Equal(got, newBody) {
		t.Errorf("after update read %d bytes, want the new %d", len(got), len(newBody))
	}
	dirNames(t, dir)
}

func TestContextDeadline(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"stalls before headers", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}},
		{"stalls mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(strings.Repeat("a", 500)))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			dir := t.TempDir()
			old := []byte("old\n")
			seedOld(t, dir, "feed.txt", "http://old.invalid/", "", old)
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			r := Update(ctx, srv.Client(), dir, []Source{{Name: "feed", URL: srv.URL, File: "feed.txt"}}, nil)[0]
			if !errors.Is(r.Err, context.DeadlineExceeded) {
				t.Errorf("error %v, want context.DeadlineExceeded", r.Err)
			}
			if got := readFile(t, r.Path); !bytes.Equal(got, old) {
				t.Errorf("old file now %q", got)
			}
			dirNames(t, dir)
		})
	}
}

func TestCanceledBeforeStart(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	srcs := make([]Source, 2*parallel)
	for i := range srcs {
		srcs[i] = Source{Name: fmt.Sprint(i), URL: srv.URL, File: fmt.Sprintf("%d.txt", i)}
	}
	for _, r := range Update(ctx, srv.Client(), t.TempDir(), srcs, nil) {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", r.Name, r.Err)
		}
	}
	if got := hits.Load(); got != 0 {
		t.Errorf("server got %d requests after cancel", got)
	}
}

// tempBytes returns the size of the single temporary file in dir, or -1
// when there is none; more than one fails the test.
func tempBytes(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	size, n := int64(-1), 0
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		n++
		if fi, err := e.Info(); err == nil {
			size = fi.Size()
		}
	}
	if n > 1 {
		t.Fatalf("%d temporary files for one download", n)
	}
	return size
}
