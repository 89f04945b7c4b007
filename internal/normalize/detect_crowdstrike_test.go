package normalize

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/internal/ingest"
)

// crowdstrikeDetectTable checks that every record of the files in own is
// detected as format, and that no record of any other file under
// /work/shared/samples is claimed by it, alone or together with another
// format. The google_secops, sentinelone and proofpoint tables use it too.
func crowdstrikeDetectTable(t *testing.T, format string, own []string) {
	t.Helper()
	mine := map[string]bool{}
	for _, file := range own {
		mine[file] = true
		t.Run("own/"+filepath.Base(file), func(t *testing.T) {
			recs := records(t, file, 0)
			if len(recs) == 0 {
				t.Fatalf("no records in %s", file)
			}
			for _, r := range recs {
				f, err := Detect(r.Data)
				if err != nil || f.Name() != format {
					t.Errorf("line %d: Detect = %v, %v; want %s", r.Line, f, err, format)
				}
			}
		})
	}
	root := sharedFile(t, "samples")
	var others []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".md") {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(root), p)
		if !mine[filepath.ToSlash(rel)] {
			others = append(others, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(others) == 0 {
		t.Fatalf("no other sample files under %s", root)
	}
	for _, file := range others {
		t.Run("other/"+filepath.Base(file), func(t *testing.T) {
			for _, r := range crowdstrikeAllRecords(t, file) {
				f, err := Detect(r.Data)
				if err == nil && f.Name() == format {
					t.Errorf("line %d: %s claims a record of %s", r.Line, format, file)
				}
				if errors.Is(err, ErrAmbiguousFormat) && strings.Contains(err.Error(), format) {
					t.Errorf("line %d: %v", r.Line, err)
				}
			}
		})
	}
}

// crowdstrikeAllRecords reads every record of a shared file through
// ingest; records ingest rejects (CSV rows, CEF lines) are skipped, since
// they reach no JSON format.
func crowdstrikeAllRecords(t testing.TB, rel string) []ingest.Record {
	t.Helper()
	f, err := ingest.Open(sharedFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ingest.Record
	err = ingest.Read(context.Background(), f, filepath.Base(rel), func(r ingest.Record) error {
		out = append(out, r)
		return nil
	}, func(ingest.RecordError) {})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDetectCrowdstrike(t *testing.T) {
	crowdstrikeDetectTable(t, "crowdstrike", crowdstrikeSamples)
}
