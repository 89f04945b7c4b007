package intel

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxFileSize bounds one file read from a feed, so that a corrupt or hostile
// archive cannot exhaust memory.
const maxFileSize = 1 << 30

// files is a feed's path seen as a set of files, whether it is a .tar.gz
// archive, a .gz file, a directory or a plain file.
type files struct {
	path string
	kind int
	// modTime is the newest modification time of the files read so far.
	modTime time.Time
}

const (
	plainFile = iota
	gzipFile
	tarGzip
	directory
)

// openFiles checks that path exists and decides how to read it.
func openFiles(path string) (*files, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open feed: %w", err)
	}
	f := &files{path: path, kind: plainFile}
	n := strings.ToLower(path)
	switch {
	case st.IsDir():
		f.kind = directory
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		f.kind = tarGzip
	case strings.HasSuffix(n, ".gz"):
		f.kind = gzipFile
	}
	return f, nil
}

// each calls fn, in archive or lexical order, for every regular file whose
// slash-separated path inside the feed satisfies match. A plain or .gz feed
// path is passed to fn whatever its name, as its base name without .gz.
// fn owns data.
func (f *files) each(ctx context.Context, match func(name string) bool, fn func(name string, data []byte) error) error {
	switch f.kind {
	case directory:
		return filepath.WalkDir(f.path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(f.path, p)
			if err != nil {
				return err
			}
			name := filepath.ToSlash(rel)
			if !match(name) {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := readFile(p)
			if err != nil {
				return err
			}
			f.seen(info.ModTime())
			return fn(name, data)
		})
	case tarGzip:
		return f.eachTar(ctx, match, fn)
	}
	name := filepath.Base(f.path)
	if f.kind == gzipFile {
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".GZ")
	}
	// A single file named in the configuration is read whatever its name:
	// the updater and operators may store feeds under names of their own.
	st, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("open feed: %w", err)
	}
	var data []byte
	if f.kind == gzipFile {
		data, err = readGzip(f.path)
	} else {
		data, err = readFile(f.path)
	}
	if err != nil {
		return err
	}
	f.seen(st.ModTime())
	return fn(name, data)
}

func (f *files) eachTar(ctx context.Context, match func(name string) bool, fn func(name string, data []byte) error) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open feed: %w", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return fmt.Errorf("read archive %s: %w", f.path, err)
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive %s: %w", f.path, err)
		}
		if h.Typeflag != tar.TypeReg || !match(strings.TrimPrefix(h.Name, "./")) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if h.Size > maxFileSize {
			return fmt.Errorf("read archive %s: %s is larger than %d bytes", f.path, h.Name, maxFileSize)
		}
		data := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return fmt.Errorf("read archive %s: %s: %w", f.path, h.Name, err)
		}
		f.seen(h.ModTime)
		if err := fn(strings.TrimPrefix(h.Name, "./"), data); err != nil {
			return err
		}
	}
}

// minModTime is the earliest modification time taken as real: npm packs
// every file as 1985-10-26 for reproducible builds.
var minModTime = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

func (f *files) seen(t time.Time) {
	if t.After(minModTime) && t.After(f.modTime) {
		f.modTime = t.UTC()
	}
}

func readFile(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open feed file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read feed file %s: %w", p, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read feed file %s: larger than %d bytes", p, maxFileSize)
	}
	return data, nil
}

func readGzip(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open feed file: %w", err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("read feed file %s: %w", p, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read feed file %s: %w", p, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("read feed file %s: larger than %d bytes", p, maxFileSize)
	}
	return data, nil
}

// baseName is the last element of a slash-separated path.
func baseName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// nextLine splits s at its first newline, trimming the line's surrounding
// spaces, tabs and carriage returns. It does not allocate.
func nextLine(s string) (line, rest string) {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		line, rest = s[:i], s[i+1:]
	} else {
		line = s
	}
	return strings.Trim(line, " \t\r"), rest
}
