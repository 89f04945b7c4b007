package update

import (
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
)

// validatorServer serves body with the configured validators and answers
// 304 when the request's matching conditional header equals them. It
// records the conditional headers of every request.
type validatorServer struct {
	body         []byte
	etag         string
	lastModified string
	ignore       bool // never answer 304

	mu   sync.Mutex
	seen []http.Header
}

func (s *validatorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, http.Header{
		"If-None-Match":     r.Header.Values("If-None-Match"),
		"If-Modified-Since": r.Header.Values("If-Modified-Since"),
	})
	s.mu.Unlock()
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
	}
	if s.lastModified != "" {
		w.Header().Set("Last-Modified", s.lastModified)
	}
	if !s.ignore {
		inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if (s.etag != "" && inm == s.etag) || (s.etag == "" && s.lastModified != "" && ims == s.lastModified) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.Write(s.body)
}

func (s *validatorServer) requests() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.seen...)
}

func TestConditionalRequests(t *testing.T) {
	const lm = "Sat, 22 Aug 2026 01:00:29 GMT"
	body := []byte("203.0.113.9\t4\n")
	tests := []struct {
		name            string
		srv             *validatorServer
		between         func(t *testing.T, path string) // runs between the two updates
		secondPath      string                          // URL path of the second run
		wantIfNoneMatch string
		wantIfModSince  string
		wantNotModified bool
		wantChanged     bool
	}{
		{name: "etag answered 304", srv: &validatorServer{body: body, etag: `"abc"`, lastModified: lm},
			wantIfNoneMatch: `"abc"`, wantIfModSince: lm, wantNotModified: true},
		{name: "last-modified answered 304", srv: &validatorServer{body: body, lastModified: lm},
			wantIfModSince: lm, wantNotModified: true},
		{name: "no validators means full download", srv: &validatorServer{body: body}},
		{name: "server ignores validators, same content", srv: &validatorServer{body: body, etag: `"abc"`, ignore: true},
			wantIfNoneMatch: `"abc"`},
		{name: "url changed", srv: &validatorServer{body: body, etag: `"abc"`}, secondPath: "/moved"},
		{name: "local file edited", srv: &validatorServer{body: body, etag: `"abc"`}, wantChanged: true,
			between: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte("tampered\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "metadata corrupt", srv: &validatorServer{body: body, etag: `"abc"`},
			between: func(t *testing.T, path string) {
				if err := os.WriteFile(MetaPath(path), []byte("{not json"), 0o644); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.srv)
			defer srv.Close()
			dir := t.TempDir()
			src := Source{Name: "ipsum", URL: srv.URL + "/feed", File: "ipsum.txt"}
			first := Update(t.Context(), srv.Client(), dir, []Source{src}, nil)[0]
			if first.Err != nil || !first.Changed {
				t.Fatalf("first update: %+v", first)
			}
			metaBefore, err := ReadMeta(MetaPath(first.Path))
			if err != nil {
				t.Fatal(err)
			}
			if tc.between != nil {
				tc.between(t, first.Path)
			}
			if tc.secondPath != "" {
				src.URL = srv.URL + tc.secondPath
			}
			second := Update(t.Context(), srv.Client(), dir, []Source{src}, nil)[0]
			if second.Err != nil {
				t.Fatalf("second update: %v", second.Err)
			}
			if second.NotModified != tc.wantNotModified || second.Changed != tc.wantChanged {
				t.Errorf("NotModified=%v Changed=%v, want %v %v",
					second.NotModified, second.Changed, tc.wantNotModified, tc.wantChanged)
			}
			if second.SHA256 != digest(body) || second.Bytes != int64(len(body)) {
				t.Errorf("second result %+v does not describe the stored body", second)
			}
			if got := readFile(t, second.Path); string(got) != string(body) {
				t.Errorf("stored %q, want %q", got, body)
			}
			reqs := tc.srv.requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(reqs))
			}
			if len(reqs[0]["If-None-Match"])+len(reqs[0]["If-Modified-Since"]) != 0 {
				t.Errorf("first request was conditional: %v", reqs[0])
			}
			if got := firstValue(reqs[1], "If-None-Match"); got != tc.wantIfNoneMatch {
				t.Errorf("If-None-Match = %q, want %q", got, tc.wantIfNoneMatch)
			}
			if got := firstValue(reqs[1], "If-Modified-Since"); got != tc.wantIfModSince {
				t.Errorf("If-Modified-Since = %q, want %q", got, tc.wantIfModSince)
			}
			metaAfter, err := ReadMeta(MetaPath(second.Path))
			if err != nil {
				t.Fatal(err)
			}
			if metaAfter.URL != src.URL || metaAfter.SHA256 != digest(body) || metaAfter.FetchedAt.Before(metaBefore.FetchedAt) {
				t.Errorf("meta after second update = %+v (before %+v)", metaAfter, metaBefore)
			}
			dirNames(t, dir)
		})
	}
}

func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
