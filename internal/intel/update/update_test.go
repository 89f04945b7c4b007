package update

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

func serveBytes(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+digest(body)[:16]+`"`)
		w.Write(body)
	}
}

func TestUpdateSuccess(t *testing.T) {
	text := []byte("1.2.3.4\t7\n5.6.7.8\t3\n")
	gz := gzipBytes(t, []byte(strings.Repeat("payload line\n", 500)))
	tgz := tarGzBytes(t, map[string]string{"feed/a.txt": "a\n", "feed/b.txt": strings.Repeat("b", 3000)})
	tor := readFile(t, sharedFile(t, "intel/tor.tar.gz"))

	mux := http.NewServeMux()
	mux.Handle("/text", serveBytes(text))
	mux.Handle("/gz", serveBytes(gz))
	mux.Handle("/tgz", serveBytes(tgz))
	mux.Handle("/tor", serveBytes(tor))
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			serveBytes(text)(w, r)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name string
		src  Source
		body []byte
	}{
		{"plain text", Source{Name: "ipsum", URL: srv.URL + "/text", File: "ipsum.txt"}, text},
		{"gzip", Source{Name: "gz", URL: srv.URL + "/gz", File: "feed.txt.gz"}, gz},
		{"tar.gz", Source{Name: "tgz", URL: srv.URL + "/tgz", File: "feed.tar.gz"}, tgz},
		{"real tor archive", Source{Name: "tor", URL: srv.URL + "/tor", File: "tor.tar.gz"}, tor},
		{"pinned digest in upper case", Source{Name: "pin", URL: srv.URL + "/text", File: "pin.txt",
			SHA256: strings.ToUpper(digest(text))}, text},
		{"size exactly at cap", Source{Name: "cap", URL: srv.URL + "/text", File: "cap.txt",
			MaxBytes: int64(len(text))}, text},
		{"five redirects", Source{Name: "hops", URL: srv.URL + "/hop/5", File: "hops.txt"}, text},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var validated []byte
			validate := func(src Source, path string) error {
				if !strings.HasSuffix(path, src.File) || filepath.Dir(path) != dir {
					t.Errorf("validate path %q: want a file in %s ending in %s", path, dir, src.File)
				}
				validated = readFile(t, path)
				return nil
			}
			res := Update(t.Context(), srv.Client(), dir, []Source{tc.src}, validate)
			if len(res) != 1 {
				t.Fatalf("got %d results, want 1", len(res))
			}
			r := res[0]
			if r.Err != nil {
				t.Fatalf("Update: %v", r.Err)
			}
			want := Result{Name: tc.src.Name, Path: filepath.Join(dir, tc.src.File),
				Bytes: int64(len(tc.body)), SHA256: digest(tc.body), Changed: true}
			if r != want {
				t.Errorf("result = %+v, want %+v", r, want)
			}
			if got := readFile(t, r.Path); string(got) != string(tc.body) {
				t.Errorf("stored %d bytes that differ from the %d served", len(got), len(tc.body))
			}
			if string(validated) != string(tc.body) {
				t.Errorf("validate saw %d bytes, want the %d served", len(validated), len(tc.body))
			}
			fi, err := os.Stat(r.Path)
			if err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("stat stored file: mode %v, err %v; want 0644", fi.Mode(), err)
			}
			m, err := ReadMeta(MetaPath(r.Path))
			if err != nil {
				t.Fatalf("ReadMeta: %v", err)
			}
			if m.URL != tc.src.URL || m.SHA256 != r.SHA256 || m.Bytes != r.Bytes || m.ETag == "" || m.FetchedAt.IsZero() {
				t.Errorf("meta = %+v, does not describe result %+v", m, r)
			}
			wantNames := []string{tc.src.File, tc.src.File + metaSuffix}
			slices.Sort(wantNames)
			if got := dirNames(t, dir); !slices.Equal(got, wantNames) {
				t.Errorf("dir holds %v, want %v", got, wantNames)
			}
		})
	}
}

func TestUpdateFailureKeepsOldFile(t *testing.T) {
	old := []byte("old content\n")
	text := []byte("new content\n")
	gz := gzipBytes(t, []byte(strings.Repeat("some feed data ", 4000)))
	tgz := tarGzBytes(t, map[string]string{"x/list.json": strings.Repeat("{}", 5000)})
	errHook := errors.New("loader says no")

	tests := []struct {
		name      string
		file      string
		handler   http.HandlerFunc
		sha256    string
		maxBytes  int64
		validate  func(Source, string) error
		wantErr   error
		wantRetry bool
	}{
		{name: "digest mismatch", handler: serveBytes(text), sha256: digest(old), wantErr: ErrDigest},
		{name: "truncated gzip", file: "f.txt.gz", handler: serveBytes(gz[:len(gz)-6]), wantErr: ErrCorrupt},
		{name: "truncated tar.gz", file: "f.tar.gz", handler: serveBytes(tgz[:len(tgz)/2]), wantErr: ErrCorrupt},
		{name: "gzip that is not a tar", file: "f.tar.gz",
			handler: serveBytes(gzipBytes(t, []byte(strings.Repeat("not a tar header ", 100)))), wantErr: ErrCorrupt},
		{name: "plain text named .gz", file: "f.gz", handler: serveBytes(text), wantErr: ErrCorrupt},
		{name: "oversize by content length", handler: serveBytes(text), maxBytes: int64(len(text)) - 1, wantErr: ErrTooLarge},
		{name: "oversize chunked", maxBytes: 1000, wantErr: ErrTooLarge,
			handler: func(w http.ResponseWriter, r *http.Request) {
				for range 20 {
					w.Write([]byte(strings.Repeat("z", 100)))
					w.(http.Flusher).Flush()
				}
			}},
		{name: "empty body", handler: serveBytes(nil), wantErr: ErrEmpty},
		{name: "server 500", wantRetry: true, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}},
		{name: "server 404", handler: http.NotFound},
		{name: "unexpected 304 without validators sent", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}},
		{name: "validate hook rejects", handler: serveBytes(text), wantErr: errHook,
			validate: func(Source, string) error { return errHook }},
		{name: "redirect to file scheme", wantErr: ErrRedirect, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			dir := t.TempDir()
			file := tc.file
			if file == "" {
				file = "feed.txt"
			}
			// The old copy's metadata names another URL, so no conditional
			// request is made and every case reaches the download path.
			seedOld(t, dir, file, "http://old.invalid/feed", `"old"`, old)
			metaBefore := readFile(t, MetaPath(filepath.Join(dir, file)))

			src := Source{Name: "feed", URL: srv.URL + "/feed", File: file, SHA256: tc.sha256, MaxBytes: tc.maxBytes}
			r := Update(t.Context(), srv.Client(), dir, []Source{src}, tc.validate)[0]
			if r.Err == nil {
				t.Fatalf("Update succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(r.Err, tc.wantErr) {
				t.Errorf("error %v, want %v", r.Err, tc.wantErr)
			}
			if tc.wantErr == errHook && !errors.Is(r.Err, ErrValidate) {
				t.Errorf("hook error %v not marked ErrValidate", r.Err)
			}
			if tc.wantErr == nil {
				var se *StatusError
				if !errors.As(r.Err, &se) || se.Retryable() != tc.wantRetry {
					t.Errorf("error %v: want a StatusError with Retryable %v", r.Err, tc.wantRetry)
				}
			}
			if r.Changed || r.NotModified {
				t.Errorf("failed result reports Changed=%v NotModified=%v", r.Changed, r.NotModified)
			}
			if got := readFile(t, r.Path); string(got) != string(old) {
				t.Errorf("old file now holds %q, want %q", got, old)
			}
			if got := readFile(t, MetaPath(r.Path)); string(got) != string(metaBefore) {
				t.Errorf("metadata changed on failure: %s", got)
			}
			if got, want := dirNames(t, dir), []string{file, file + metaSuffix}; !slices.Equal(got, want) {
				t.Errorf("dir holds %v, want %v", got, want)
			}
		})
	}
}

func TestRedirectPolicy(t *testing.T) {
	plainSrv := httptest.NewServer(serveBytes([]byte("served over http\n")))
	defer plainSrv.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/loop/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		http.Redirect(w, r, fmt.Sprintf("/loop/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.invalid/feed", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/downgrade", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plainSrv.URL+"/feed", http.StatusFound)
	})
	tlsSrv := httptest.NewTLSServer(mux)
	defer tlsSrv.Close()

	var userPolicyCalls atomic.Int32
	client := tlsSrv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error {
		userPolicyCalls.Add(1)
		return nil
	}
	for _, path := range []string{"/loop/0", "/ftp", "/downgrade"} {
		t.Run(path, func(t *testing.T) {
			dir := t.TempDir()
			src := Source{Name: "r", URL: tlsSrv.URL + path, File: "r.txt"}
			r := Update(t.Context(), client, dir, []Source{src}, nil)[0]
			if !errors.Is(r.Err, ErrRedirect) {
				t.Errorf("error %v, want ErrRedirect", r.Err)
			}
			if got := dirNames(t, dir); len(got) != 0 {
				t.Errorf("dir holds %v after a refused redirect", got)
			}
		})
	}
	// The caller's own policy still runs for the hops the guard allows: the
	// five allowed hops of /loop.
	if got := userPolicyCalls.Load(); got != maxRedirects {
		t.Errorf("caller's CheckRedirect ran %d times, want %d", got, maxRedirects)
	}
}

func TestInvalidSources(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("x"))
	}))
	defer srv.Close()
	ok := srv.URL + "/feed"
	srcs := []Source{
		{Name: "", URL: ok, File: "a.txt"},
		{Name: "ftp", URL: "ftp://example.invalid/a", File: "b.txt"},
		{Name: "relative", URL: "/feed", File: "c.txt"},
		{Name: "escape", URL: ok, File: "../d.txt"},
		{Name: "subdir", URL: ok, File: "sub/e.txt"},
		{Name: "dot", URL: ok, File: ".."},
		{Name: "meta clash", URL: ok, File: "f.txt.meta.json"},
		{Name: "temp clash", URL: ok, File: tempPrefix + "g"},
		{Name: "bad pin", URL: ok, File: "h.txt", SHA256: "abc"},
		{Name: "negative cap", URL: ok, File: "i.txt", MaxBytes: -1},
		{Name: "first", URL: ok, File: "dup.txt"},
		{Name: "second", URL: ok, File: "dup.txt"},
	}
	dir := t.TempDir()
	res := Update(t.Context(), srv.Client(), dir, srcs, nil)
	for i, r := range res {
		wantOK := srcs[i].Name == "first"
		if wantOK != (r.Err == nil) {
			t.Errorf("%s: error %v, want success %v", srcs[i].Name, r.Err, wantOK)
		}
		if !wantOK && (!errors.Is(r.Err, ErrInvalidSource) || r.Path != "") {
			t.Errorf("%s: error %v, path %q; want ErrInvalidSource and no path", srcs[i].Name, r.Err, r.Path)
		}
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server got %d requests, want 1 (only the valid source)", got)
	}
	if got, want := dirNames(t, dir), []string{"dup.txt", "dup.txt.meta.json"}; !slices.Equal(got, want) {
		t.Errorf("dir holds %v, want %v", got, want)
	}
}

func TestUpdateNilClient(t *testing.T) {
	srv := httptest.NewServer(serveBytes([]byte("hello\n")))
	defer srv.Close()
	defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	// The data dir does not exist yet: Update creates it.
	dir := filepath.Join(t.TempDir(), "data", "intel")
	r := Update(context.Background(), nil, dir, []Source{{Name: "n", URL: srv.URL, File: "n.txt"}}, nil)[0]
	if r.Err != nil || !r.Changed || r.Bytes != 6 || r.Path != filepath.Join(dir, "n.txt") {
		t.Errorf("result %+v, want a changed 6-byte file in %s", r, dir)
	}
	if got := readFile(t, r.Path); string(got) != "hello\n" {
		t.Errorf("stored %q", got)
	}
}
