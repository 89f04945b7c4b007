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

// elasticSampleFiles lists every file under /work/shared/samples (paths
// relative to /work/shared), failing when the folder is missing.
func elasticSampleFiles(t testing.TB) []string {
	t.Helper()
	root := sharedFile(t, "samples")
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(p, ".md") {
			return nil
		}
		rel, err := filepath.Rel(filepath.Dir(root), p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no sample files under %s", root)
	}
	return files
}

// elasticAnyRecords reads every JSON record of a shared file through
// ingest, ignoring what is not JSON (CSV, CEF and LEEF lines).
func elasticAnyRecords(t testing.TB, rel string) []ingest.Record {
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

// detectTable checks that every record of the files in own is detected as
// format, and that no record of any other sample file is.
func detectTable(t *testing.T, format string, own map[string]bool) {
	for file := range own {
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
	for _, file := range elasticSampleFiles(t) {
		if own[file] {
			continue
		}
		t.Run("other/"+filepath.Base(file), func(t *testing.T) {
			for _, r := range elasticAnyRecords(t, file) {
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

func TestDetectElastic(t *testing.T) {
	detectTable(t, "elastic", map[string]bool{
		"samples/elastic/kibana_es_archive_alerts-security_8.1.0_first2docs.json":    true,
		"samples/elastic/elastic-endpoint-package_endpoint_alerts_sample_event.json": true,
	})
}
