package normalize

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// syslogDetectTable checks that format claims every record of its own
// sample files (mine, relative to /work/shared/samples) and that Detect
// gives no other sample record to it, whatever it does with them
// otherwise. Records are read through ingest, so framing is realistic.
func syslogDetectTable(t *testing.T, format string, mine []string) {
	root := filepath.Dir(sharedFile(t, "samples/PROVENANCE.md"))
	for _, rel := range mine {
		sharedFile(t, filepath.Join("samples", rel))
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		rel, _ := filepath.Rel(root, p)
		own := false
		for _, m := range mine {
			own = own || m == rel
		}
		t.Run(rel, func(t *testing.T) {
			recs := records(t, filepath.Join("samples", rel), 0)
			if len(recs) == 0 {
				t.Fatalf("no records in %s", rel)
			}
			for _, r := range recs {
				f, err := Detect(r.Data)
				switch {
				case own && (err != nil || f.Name() != format):
					t.Errorf("line %d: Detect = %v, %v; want %s", r.Line, f, err, format)
				case !own && err == nil && f.Name() == format:
					t.Errorf("line %d: %s claims a record of another format", r.Line, format)
				case !own && errors.Is(err, ErrAmbiguousFormat) && strings.Contains(err.Error(), format):
					t.Errorf("line %d: %s is among several formats claiming it: %v", r.Line, format, err)
				}
			}
		})
	}
}

func TestDetectCEF(t *testing.T) {
	syslogDetectTable(t, "cef", []string{
		"cef_leef/azure-sentinel_withsecure_elements_cef_subset.txt",
		"cef_leef/azure-sentinel_radiflow_isid_syslog_cef_subset.txt",
	})
}
