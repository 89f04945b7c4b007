package update

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkUpdateFull downloads, verifies (gzip and tar read through) and
// replaces the real IPsum archive (~0.5 MB) over loopback.
func BenchmarkUpdateFull(b *testing.B) {
	body := readFile(b, sharedFile(b, "intel/ipsum.tar.gz"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	dir := b.TempDir()
	srcs := []Source{{Name: "ipsum", URL: srv.URL, File: "ipsum.tar.gz"}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if r := Update(b.Context(), srv.Client(), dir, srcs, nil)[0]; r.Err != nil {
			b.Fatal(r.Err)
		}
	}
}

// BenchmarkUpdateNotModified measures the 304 path, dominated by re-hashing
// the stored copy to check it still matches its metadata.
func BenchmarkUpdateNotModified(b *testing.B) {
	body := readFile(b, sharedFile(b, "intel/ipsum.tar.gz"))
	srv := httptest.NewServer(&validatorServer{body: body, etag: `"v1"`})
	defer srv.Close()
	dir := b.TempDir()
	srcs := []Source{{Name: "ipsum", URL: srv.URL, File: "ipsum.tar.gz"}}
	if r := Update(b.Context(), srv.Client(), dir, srcs, nil)[0]; r.Err != nil {
		b.Fatal(r.Err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := Update(b.Context(), srv.Client(), dir, srcs, nil)[0]; r.Err != nil || !r.NotModified {
			b.Fatalf("%+v", r)
		}
	}
}

// BenchmarkVerifyArchive is the gzip+tar read-through alone.
func BenchmarkVerifyArchive(b *testing.B) {
	body := readFile(b, sharedFile(b, "intel/ipsum.tar.gz"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := verifyArchive(b.Context(), bytes.NewReader(body), tarGzipped); err != nil {
			b.Fatal(err)
		}
	}
}
