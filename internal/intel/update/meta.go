package update

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// metaSuffix names the sidecar metadata file of a feed file.
const metaSuffix = ".meta.json"

// maxMetaBytes bounds a sidecar file; real ones are a few hundred bytes.
const maxMetaBytes = 64 << 10

// ErrInvalidMeta reports a sidecar metadata file that cannot be trusted.
var ErrInvalidMeta = errors.New("invalid feed metadata")

// Meta describes the stored copy of one feed. It is written next to the feed
// file as <file>.meta.json after every successful download.
type Meta struct {
	// URL is the upstream URL the copy was requested from.
	URL string `json:"url"`
	// ETag is the validator the server sent, echoed in If-None-Match.
	ETag string `json:"etag,omitempty"`
	// LastModified is the server's Last-Modified header, echoed verbatim in
	// If-Modified-Since (servers compare it as a string).
	LastModified string `json:"last_modified,omitempty"`
	// SHA256 is the lowercase hex digest of the stored file.
	SHA256 string `json:"sha256"`
	// Bytes is the size of the stored file.
	Bytes int64 `json:"bytes"`
	// FetchedAt is when the server last confirmed the copy (200 or 304), UTC.
	FetchedAt time.Time `json:"fetched_at"`
}

// MetaPath returns the sidecar metadata path of the feed file at path.
func MetaPath(path string) string { return path + metaSuffix }

// ReadMeta reads and validates the sidecar metadata file at path (as returned
// by MetaPath). A missing file yields an error wrapping fs.ErrNotExist.
func ReadMeta(path string) (Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, fmt.Errorf("read meta: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMetaBytes+1))
	if err != nil {
		return Meta{}, fmt.Errorf("read meta %s: %w", path, err)
	}
	m, err := ParseMeta(data)
	if err != nil {
		return Meta{}, fmt.Errorf("read meta %s: %w", path, err)
	}
	return m, nil
}

// ParseMeta decodes and validates sidecar metadata. Unknown fields and
// trailing data are rejected so a damaged file is never half-trusted.
func ParseMeta(data []byte) (Meta, error) {
	if len(data) > maxMetaBytes {
		return Meta{}, fmt.Errorf("%w: larger than %d bytes", ErrInvalidMeta, maxMetaBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Meta
	if err := dec.Decode(&m); err != nil {
		return Meta{}, fmt.Errorf("%w: %w", ErrInvalidMeta, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Meta{}, fmt.Errorf("%w: trailing data", ErrInvalidMeta)
	}
	if err := m.validate(); err != nil {
		return Meta{}, err
	}
	return m, nil
}

func (m Meta) validate() error {
	var errs []error
	if err := checkURL(m.URL); err != nil {
		errs = append(errs, err)
	}
	if !isHexDigest(m.SHA256) {
		errs = append(errs, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", m.SHA256))
	}
	if m.Bytes < 0 {
		errs = append(errs, fmt.Errorf("negative bytes %d", m.Bytes))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMeta, err)
	}
	return nil
}

// writeMeta replaces the sidecar of the feed file at path atomically.
func writeMeta(path string, m Meta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode meta: %w", err)
	}
	data = append(data, '\n')
	dir, base := filepath.Split(MetaPath(path))
	f, err := os.CreateTemp(dir, tempPrefix+"*-"+base)
	if err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	tmp := f.Name()
	if err := writeSyncClose(f, data); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write meta: %w", err)
	}
	if err := os.Rename(tmp, MetaPath(path)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write meta: %w", err)
	}
	return nil
}

func writeSyncClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkURL accepts absolute http and https URLs with a host.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: %q", ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("url %q has no host", raw)
	}
	return nil
}

func isHexDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
