package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// cefSamples are the CEF sample files and their golden names.
var cefSamples = []goldenCase{
	{"cef_withsecure_elements", "samples/cef_leef/azure-sentinel_withsecure_elements_cef_subset.txt", 0},
	{"cef_radiflow_isid_syslog", "samples/cef_leef/azure-sentinel_radiflow_isid_syslog_cef_subset.txt", 0},
}

// syslogGolden normalises every record of each case with detection and
// compares the entries with testdata/golden/<name>.golden, as TestGolden
// does for JSON formats; a text record's Raw must be its line as a JSON
// string.
func syslogGolden(t *testing.T, cases []goldenCase) {
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var entries []goldenEntry
			for _, r := range records(t, tc.file, tc.max) {
				e := goldenEntry{Line: r.Line}
				a, err := Normalize("auto", r.Data)
				if err != nil {
					e.Error = err.Error()
				} else {
					var line string
					if err := json.Unmarshal(a.Raw, &line); err != nil || line != string(r.Data) {
						t.Errorf("line %d: Raw is not the line as a JSON string: %v", r.Line, err)
					}
					if !a.Time.IsZero() && a.Time.Location().String() != "UTC" {
						t.Errorf("line %d: time %v not in UTC", r.Line, a.Time)
					}
					a.Raw = nil
					e.Format, e.Alert = a.Source, &a
				}
				entries = append(entries, e)
			}
			got, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".golden")
			if update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; diff it after UPDATE_GOLDEN=1", path)
			}
		})
	}
}

func TestGoldenCEF(t *testing.T) { syslogGolden(t, cefSamples) }

var leefSamples = []goldenCase{
	{"leef_trendmicro_deepsecurity", "samples/cef_leef/ibm_qradar_docs_trendmicro_deepsecurity_leef2.0.txt", 0},
	{"leef_panos_traffic", "samples/cef_leef/rsyslog_tests_paloalto_panos_leef1.0_traffic.txt", 0},
}

func TestGoldenLEEF(t *testing.T) { syslogGolden(t, leefSamples) }
