package update

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestParseMeta(t *testing.T) {
	tests := []struct {
		name    string
		file    string // under testdata/meta, instead of data
		data    string
		want    Meta
		wantErr string // substring; empty means success
	}{
		{name: "full", file: "full.meta.json", want: Meta{
			URL:          "https://raw.githubusercontent.com/stamparm/ipsum/master/ipsum.txt",
			ETag:         `W/"5f1c0a8e3b"`,
			LastModified: "Sat, 22 Aug 2026 01:00:29 GMT",
			SHA256:       "60ac8af05bdea3df2cce82b0d0a14c25761d7ebce38a2b6f3893a9443a76102f",
			Bytes:        1952079,
			FetchedAt:    time.Date(2026, 8, 22, 3, 15, 0, 0, time.UTC),
		}},
		{name: "minimal", file: "minimal.meta.json", want: Meta{
			URL: "http://127.0.0.1:8080/feed", SHA256: emptyDigest, FetchedAt: time.Time{},
		}},
		{name: "unknown field", file: "unknown-field.meta.json", wantErr: `unknown field "extra"`},
		{name: "not json", data: "{url:", wantErr: "invalid character"},
		{name: "trailing data", data: `{"url":"https://a.example/","sha256":"` + emptyDigest + `"} {}`, wantErr: "trailing data"},
		{name: "file url", data: `{"url":"file:///etc/passwd","sha256":"` + emptyDigest + `"}`, wantErr: "unsupported url scheme"},
		{name: "no host", data: `{"url":"https:///x","sha256":"` + emptyDigest + `"}`, wantErr: "has no host"},
		{name: "upper-case digest", data: `{"url":"https://a.example/","sha256":"` + strings.ToUpper(emptyDigest) + `"}`, wantErr: "lowercase hex"},
		{name: "short digest", data: `{"url":"https://a.example/","sha256":"abc"}`, wantErr: "64 lowercase hex"},
		{name: "negative bytes", data: `{"url":"https://a.example/","sha256":"` + emptyDigest + `","bytes":-1}`, wantErr: "negative bytes"},
		{name: "every problem reported", data: `{"url":"ftp://x/","sha256":"","bytes":-2}`, wantErr: "negative bytes -2"},
		{name: "too large", data: `{"etag":"` + strings.Repeat("a", maxMetaBytes) + `"}`, wantErr: "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			if tc.file != "" {
				data = readFile(t, filepath.Join("testdata", "meta", tc.file))
			}
			got, err := ParseMeta(data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalidMeta) {
					t.Fatalf("error %v, want ErrInvalidMeta containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMeta: %v", err)
			}
			if !metaEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestReadMeta(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.txt")
	if _, err := ReadMeta(MetaPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing meta: error %v, want fs.ErrNotExist", err)
	}
	want := Meta{URL: "https://a.example/f", ETag: `"x"`, SHA256: emptyDigest, Bytes: 3,
		FetchedAt: time.Date(2026, 11, 23, 17, 0, 0, 123, time.UTC)}
	if err := writeMeta(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMeta(MetaPath(path))
	if err != nil {
		t.Fatal(err)
	}
	if !metaEqual(got, want) {
		t.Errorf("round trip: got %+v, want %+v", got, want)
	}
	if err := os.WriteFile(MetaPath(path), []byte(`{"url":"gopher://x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMeta(MetaPath(path)); !errors.Is(err, ErrInvalidMeta) || !strings.Contains(err.Error(), MetaPath(path)) {
		t.Errorf("bad meta: error %v, want ErrInvalidMeta naming the file", err)
	}
}

// FuzzReadMeta fuzzes the parser behind ReadMeta (which only adds the file
// read): it must never panic, and what it accepts must be valid and survive
// an encode/decode round trip unchanged.
func FuzzReadMeta(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "meta", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds under testdata/meta: %v", err)
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"url":"https://[::1]:99/x","sha256":"` + emptyDigest + `","fetched_at":"2026-01-01T00:00:00+05:30"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMeta(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidMeta) {
				t.Fatalf("error %v is not ErrInvalidMeta", err)
			}
			return
		}
		if !isHexDigest(m.SHA256) || m.Bytes < 0 || checkURL(m.URL) != nil {
			t.Fatalf("accepted invalid meta %+v", m)
		}
		enc, err := json.Marshal(m)
		if err != nil {
			// Years outside 0-9999 decode but cannot be encoded; writeMeta
			// reports that as an error, so it is not a round-trip failure.
			if m.FetchedAt.Year() < 0 || m.FetchedAt.Year() > 9999 {
				return
			}
			t.Fatalf("encode accepted meta %+v: %v", m, err)
		}
		back, err := ParseMeta(enc)
		if err != nil {
			t.Fatalf("re-parse %s: %v", enc, err)
		}
		if !metaEqual(m, back) {
			t.Fatalf("round trip changed %+v into %+v", m, back)
		}
	})
}

func metaEqual(a, b Meta) bool {
	return a.URL == b.URL && a.ETag == b.ETag && a.LastModified == b.LastModified &&
		a.SHA256 == b.SHA256 && a.Bytes == b.Bytes && a.FetchedAt.Equal(b.FetchedAt)
}

func TestDefaults(t *testing.T) {
	srcs := Defaults()
	files := map[string]bool{}
	for _, s := range srcs {
		n, err := normalize(s)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("%s: URL %q is not https", s.Name, s.URL)
		}
		if files[n.File] {
			t.Errorf("%s: file %q used twice", s.Name, n.File)
		}
		files[n.File] = true
	}
	got, err := json.MarshalIndent(srcs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "defaults.golden.json")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden %s (refresh with UPDATE_GOLDEN=1): %v", golden, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Defaults() drifted from %s (refresh with UPDATE_GOLDEN=1):\n%s", golden, got)
	}
}
