package update

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// archiveKind tells how a feed file name says it is packed.
type archiveKind int

const (
	plain archiveKind = iota
	gzipped
	tarGzipped
)

func kindOf(name string) archiveKind {
	switch n := strings.ToLower(name); {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return tarGzipped
	case strings.HasSuffix(n, ".gz"):
		return gzipped
	}
	return plain
}

// checkArchive reads a .gz or .tar.gz file through to its end so that a
// truncated or corrupt download is caught before it replaces a good copy:
// gzip checks its CRC-32 and length trailer only at EOF, and tar reports a
// short entry only when it is read. ctx is checked between reads, because a
// small archive can expand to a great deal of data.
func checkArchive(ctx context.Context, path, name string) error {
	kind := kindOf(name)
	if kind == plain {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open for check: %w", err)
	}
	defer f.Close()
	if err := verifyArchive(ctx, f, kind); err != nil {
		return err
	}
	return nil
}

func verifyArchive(ctx context.Context, r io.Reader, kind archiveKind) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return corrupt(err)
	}
	defer zr.Close()
	// The context is checked between reads, through a closure rather than a
	// struct field so it is never stored.
	cr := readerFunc(func(p []byte) (int, error) {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return zr.Read(p)
	})
	if kind == gzipped {
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return corrupt(err)
		}
		return nil
	}
	tr := tar.NewReader(cr)
	entries := 0
	for {
		_, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return corrupt(err)
		}
		entries++
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return corrupt(err)
		}
	}
	if entries == 0 {
		return fmt.Errorf("%w: tar archive has no entries", ErrCorrupt)
	}
	// Drain the rest of the gzip stream (tar padding, trailing blocks) so its
	// checksum trailer is verified too.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return corrupt(err)
	}
	return nil
}

// corrupt marks archive errors as ErrCorrupt unless the context ended.
func corrupt(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("check archive: %w", err)
	}
	return fmt.Errorf("%w: %w", ErrCorrupt, err)
}

// readerFunc adapts a function to io.Reader.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
