package aitads

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/internal/normalize"
)

// FuzzConvert feeds arbitrary data rows under the real header. Convert must
// not panic, and whatever it accepts must be one valid Wazuh JSON line per
// row that the normaliser reads back with the row's ID.
func FuzzConvert(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("testdata", "sample_alerts.csv"))
	if err != nil {
		f.Fatal(err)
	}
	for _, row := range strings.Split(strings.TrimSpace(string(sample)), "\n")[1:] {
		f.Add(row)
	}
	f.Add(`1,"Wazuh: a ""b"", c",::1,h\u00e9,s,-,x`)
	f.Add("1.000001,Suricata: Alert - \x00\xff,,,,,-")
	f.Fuzz(func(t *testing.T, row string) {
		var alerts, labels bytes.Buffer
		st, err := Convert(strings.NewReader(csvHeader+row), "fuzz", &alerts, &labels)
		if err != nil {
			return
		}
		lines := bytes.Split(alerts.Bytes(), []byte("\n"))
		if len(lines) != st.Rows+1 || len(lines[st.Rows]) != 0 {
			t.Fatalf("%d rows but output %q", st.Rows, alerts.Bytes())
		}
		if got := strings.Count(labels.String(), "\n"); got != st.Rows+1 {
			t.Fatalf("%d rows but %d label lines", st.Rows, got)
		}
		for i, line := range lines[:st.Rows] {
			if !json.Valid(line) {
				t.Fatalf("invalid JSON: %s", line)
			}
			a, err := normalize.Normalize("auto", line)
			if err != nil {
				t.Fatalf("normalize %s: %v", line, err)
			}
			if a.ID != "fuzz-"+strconv.Itoa(i+1) {
				t.Fatalf("id %q in %s", a.ID, line)
			}
		}
	})
}
