package update

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultMaxBytes is the size cap of a source that sets none.
const DefaultMaxBytes int64 = 512 << 20

// parallel bounds how many sources are fetched at once.
const parallel = 4

// maxRedirects is the most redirect hops followed for one request.
const maxRedirects = 5

// tempPrefix starts the name of every temporary file this package creates,
// so a crash leftover is recognisable (and hidden from plain ls).
const tempPrefix = ".winnow-update-"

// userAgent identifies the updater to feed operators.
const userAgent = "winnow-intel-update/1"

// Errors reported in Result.Err; match them with errors.Is.
var (
	ErrInvalidSource = errors.New("invalid source")
	ErrScheme        = errors.New("unsupported url scheme")
	ErrRedirect      = errors.New("redirect refused")
	ErrTooLarge      = errors.New("feed larger than its size cap")
	ErrEmpty         = errors.New("feed is empty")
	ErrDigest        = errors.New("feed digest mismatch")
	ErrCorrupt       = errors.New("feed archive corrupt")
	ErrValidate      = errors.New("feed rejected by validator")
)

// StatusError reports an HTTP response that was neither 200 nor an expected
// 304. Retryable tells whether the same request may succeed later.
type StatusError struct {
	URL        string
	StatusCode int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("get %s: unexpected status %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
}

// Retryable reports whether the status is transient (429 or 5xx).
func (e *StatusError) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// Source is one upstream feed and where it is stored in the data directory.
type Source struct {
	Name     string // feed name, e.g. "ipsum"
	URL      string // upstream URL, http or https
	File     string // plain file name under the data dir, e.g. "ipsum.txt"
	SHA256   string // optional pinned digest (hex); a mismatch is an error
	MaxBytes int64  // size cap; 0 means DefaultMaxBytes
}

// Result is the outcome of updating one Source, in the order given to Update.
type Result struct {
	Name        string
	Path        string // the feed file in the data dir
	Bytes       int64  // size of the stored file (old one on NotModified)
	SHA256      string // lowercase hex digest of the stored file
	Changed     bool   // the stored file now has new content
	NotModified bool   // the server answered 304 and the stored copy was kept
	Err         error  // nil on success; the old file is untouched when set
}

// Update fetches every source concurrently (at most four at a time) into dir
// and returns one Result per source, in order. Each download goes to a
// temporary file in dir, is verified (size cap, non-empty, pinned digest,
// gzip/tar integrity, then validate when it is not nil), fsynced and renamed
// over the old file. validate receives the temporary file's path, whose name
// ends in Source.File so extension-based loaders work; it must not keep the
// path. Conditional requests use the sidecar metadata written by earlier runs.
// dir is created when missing. Result.Path is empty for an invalid source.
//
// client may be nil for a default client; its redirect policy is wrapped so
// that at most five redirects, to http or https only, are followed. ctx
// bounds every request and body read. A metadata write that fails after the
// feed was replaced is reported in Err with Changed set.
func Update(ctx context.Context, client *http.Client, dir string, srcs []Source,
	validate func(src Source, path string) error) []Result {
	c := guardedClient(client)
	results := make([]Result, len(srcs))
	seen := make(map[string]string, len(srcs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	mkdirErr := os.MkdirAll(dir, 0o755)
	for i, src := range srcs {
		results[i] = Result{Name: src.Name}
		if mkdirErr != nil {
			results[i].Err = fmt.Errorf("update %s: create data dir: %w", src.Name, mkdirErr)
			continue
		}
		src, err := normalize(src)
		if err == nil {
			if other, dup := seen[src.File]; dup {
				err = fmt.Errorf("%w: %s: file %q also used by %s", ErrInvalidSource, src.Name, src.File, other)
			}
			seen[src.File] = src.Name
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		results[i].Path = filepath.Join(dir, src.File)
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i].Err = fmt.Errorf("update %s: %w", src.Name, ctx.Err())
				return
			}
			defer func() { <-sem }()
			f := fetcher{client: c, dir: dir, src: src, validate: validate}
			results[i] = f.run(ctx)
		})
	}
	wg.Wait()
	return results
}

// normalize applies defaults and rejects sources that could write outside
// dir, collide with sidecar files or fetch a non-http URL.
func normalize(src Source) (Source, error) {
	var errs []error
	if src.Name == "" {
		errs = append(errs, errors.New("empty name"))
	}
	if err := checkURL(src.URL); err != nil {
		errs = append(errs, err)
	}
	switch {
	case src.File == "" || src.File == "." || src.File == "..":
		errs = append(errs, fmt.Errorf("file %q is not a file name", src.File))
	case strings.ContainsAny(src.File, `/\`) || filepath.Base(src.File) != src.File:
		errs = append(errs, fmt.Errorf("file %q must be a plain name without directories", src.File))
	case strings.HasSuffix(src.File, metaSuffix) || strings.HasPrefix(src.File, tempPrefix):
		errs = append(errs, fmt.Errorf("file %q clashes with the updater's own files", src.File))
	}
	src.SHA256 = strings.ToLower(src.SHA256)
	if src.SHA256 != "" && !isHexDigest(src.SHA256) {
		errs = append(errs, fmt.Errorf("pinned sha256 %q is not 64 hex digits", src.SHA256))
	}
	if src.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("negative max bytes %d", src.MaxBytes))
	}
	if src.MaxBytes == 0 {
		src.MaxBytes = DefaultMaxBytes
	}
	if err := errors.Join(errs...); err != nil {
		return src, fmt.Errorf("%w: %s: %w", ErrInvalidSource, src.Name, err)
	}
	return src, nil
}

// guardedClient copies client (or a default one) with the redirect policy
// enforced before any policy the caller set.
func guardedClient(client *http.Client) *http.Client {
	var c http.Client
	if client != nil {
		c = *client
	} else {
		c.Timeout = 30 * time.Minute
	}
	inner := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > maxRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrRedirect, maxRedirects)
		}
		switch s := req.URL.Scheme; {
		case s != "http" && s != "https":
			return fmt.Errorf("%w: to scheme %q", ErrRedirect, s)
		case s == "http" && via[len(via)-1].URL.Scheme == "https":
			return fmt.Errorf("%w: https downgraded to http", ErrRedirect)
		}
		if inner != nil {
			return inner(req, via)
		}
		return nil
	}
	return &c
}

// fetcher updates one normalised source.
type fetcher struct {
	client   *http.Client
	dir      string
	src      Source
	validate func(Source, string) error
}

func (f fetcher) run(ctx context.Context) Result {
	path := filepath.Join(f.dir, f.src.File)
	res := Result{Name: f.src.Name, Path: path}
	old, trusted, oldSum := f.previous(path)
	conditional := trusted && (old.ETag != "" || old.LastModified != "")
	resp, err := f.get(ctx, old, conditional)
	if err != nil {
		res.Err = fmt.Errorf("update %s: %w", f.src.Name, err)
		return res
	}
	defer drainClose(resp.Body)

	if resp.StatusCode == http.StatusNotModified && conditional {
		old.FetchedAt = time.Now().UTC()
		res.NotModified, res.Bytes, res.SHA256 = true, old.Bytes, old.SHA256
		if err := writeMeta(path, old); err != nil {
			res.Err = fmt.Errorf("update %s: %w", f.src.Name, err)
		}
		return res
	}
	if resp.StatusCode != http.StatusOK {
		res.Err = fmt.Errorf("update %s: %w", f.src.Name, &StatusError{URL: f.src.URL, StatusCode: resp.StatusCode})
		return res
	}
	if resp.ContentLength > f.src.MaxBytes {
		res.Err = fmt.Errorf("update %s: %w: content length %d over %d", f.src.Name, ErrTooLarge, resp.ContentLength, f.src.MaxBytes)
		return res
	}

	st, err := f.store(ctx, resp.Body, path)
	if err != nil {
		res.Err = fmt.Errorf("update %s: %w", f.src.Name, err)
		return res
	}
	res.Bytes, res.SHA256 = st.bytes, st.sum
	res.Changed = oldSum != st.sum
	meta := Meta{
		URL:          f.src.URL,
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		SHA256:       st.sum,
		Bytes:        st.bytes,
		FetchedAt:    time.Now().UTC(),
	}
	if err := writeMeta(path, meta); err != nil {
		res.Err = fmt.Errorf("update %s: %w", f.src.Name, err)
	}
	return res
}

// previous returns the digest of the stored file ("" when there is none) and
// its metadata, trusted for a conditional request only when the sidecar
// parses, names the same URL, agrees with the pin and describes the file
// actually on disk: the digest is recomputed, so a hand-edited or damaged
// file is always downloaded again.
func (f fetcher) previous(path string) (m Meta, trusted bool, sum string) {
	sum, n, err := fileDigest(path)
	if err != nil {
		return Meta{}, false, ""
	}
	m, err = ReadMeta(MetaPath(path))
	switch {
	case err != nil, m.URL != f.src.URL, m.SHA256 != sum, m.Bytes != n,
		f.src.SHA256 != "" && m.SHA256 != f.src.SHA256:
		return Meta{}, false, sum
	}
	return m, true, sum
}

func (f fetcher) get(ctx context.Context, old Meta, conditional bool) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.src.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	if conditional {
		if old.ETag != "" {
			req.Header.Set("If-None-Match", old.ETag)
		}
		if old.LastModified != "" {
			req.Header.Set("If-Modified-Since", old.LastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	return resp, nil
}

type stored struct {
	bytes int64
	sum   string
}

// store streams body into a temporary file next to path, verifies it and
// renames it over path. On any error the temporary file is removed.
func (f fetcher) store(ctx context.Context, body io.Reader, path string) (st stored, err error) {
	tmp, err := os.CreateTemp(f.dir, tempPrefix+"*-"+f.src.File)
	if err != nil {
		return st, fmt.Errorf("create temp: %w", err)
	}
	tmpPath := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if err != nil {
			os.Remove(tmpPath)
		}
	}()

	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(body, f.src.MaxBytes+1))
	if err != nil {
		return st, fmt.Errorf("download: %w", err)
	}
	st = stored{bytes: n, sum: hex.EncodeToString(h.Sum(nil))}
	switch {
	case n > f.src.MaxBytes:
		return st, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.src.MaxBytes)
	case n == 0:
		return st, ErrEmpty
	case f.src.SHA256 != "" && st.sum != f.src.SHA256:
		return st, fmt.Errorf("%w: got %s, pinned %s", ErrDigest, st.sum, f.src.SHA256)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return st, fmt.Errorf("chmod temp: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return st, fmt.Errorf("sync temp: %w", err)
	}
	err = tmp.Close()
	tmp = nil
	if err != nil {
		return st, fmt.Errorf("close temp: %w", err)
	}
	if err := checkArchive(ctx, tmpPath, f.src.File); err != nil {
		return st, err
	}
	if f.validate != nil {
		if err := f.validate(f.src, tmpPath); err != nil {
			return st, fmt.Errorf("%w: %w", ErrValidate, err)
		}
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return st, fmt.Errorf("replace %s: %w", path, err)
	}
	syncDir(f.dir)
	return st, nil
}

// fileDigest hashes the file at path.
func fileDigest(path string) (string, int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("open: %w", err)
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// syncDir makes a rename durable. Errors are ignored because some
// filesystems and platforms cannot sync a directory and the rename itself
// already happened.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	d.Close()
}

// drainClose reads a little of an unread body so the connection can be
// reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}
