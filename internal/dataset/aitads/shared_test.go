package aitads

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/internal/normalize"
)

// scenarios are the AIT-ADS scenarios in ../shared/data/alerts/ait-ads.
var scenarios = []string{"fox", "harrison", "russellmitchell", "santos", "shaw"}

// sharedFile returns the path of an AIT-ADS file under the shared data
// directory beside the module root, failing the test when it is missing.
func sharedFile(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", "alerts", "ait-ads", name)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("required shared data file %s is missing: %v", p, err)
	}
	return p
}

// csvRow is what the test reads from a data row on its own, without Convert.
type csvRow struct {
	time       int64
	host, ip   string
	trueAttack bool
}

// readRows parses a real AIT-ADS file with plain string splitting (the real
// files contain no quoted fields), independently of Convert.
func readRows(t *testing.T, path string) []csvRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var rows []csvRow
	sc := bufio.NewScanner(zr)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 7 {
			t.Fatalf("row %d has %d fields", len(rows)+1, len(f))
		}
		sec, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("row %d: %v", len(rows)+1, err)
		}
		rows = append(rows, csvRow{time: sec, ip: f[2], host: f[3], trueAttack: f[6] != "-"})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestConvertRussellMitchell(t *testing.T) {
	path := sharedFile(t, "russellmitchell_alerts.csv.gz")
	want := readRows(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var alerts, labels bytes.Buffer
	st, err := Convert(f, "russellmitchell", &alerts, &labels)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	var tp int
	for _, r := range want {
		if r.trueAttack {
			tp++
		}
	}
	// 45,544 rows is the published size of the russellmitchell scenario.
	if st.Rows != 45544 || st.Rows != len(want) || st.TruePositives != tp || st.FalsePositives != len(want)-tp {
		t.Errorf("stats = %+v; want %d rows, %d true positives", st, len(want), tp)
	}
	if len(st.Unmapped) != 0 {
		t.Errorf("unmapped names: %v", st.Unmapped)
	}

	lines := bytes.Split(bytes.TrimSuffix(alerts.Bytes(), []byte("\n")), []byte("\n"))
	labelRows := strings.Split(strings.TrimSuffix(labels.String(), "\n"), "\n")
	if len(lines) != len(want) || len(labelRows) != len(want)+1 || labelRows[0] != "alert_id,label" {
		t.Fatalf("%d alert lines and %d label rows for %d data rows", len(lines), len(labelRows), len(want))
	}
	for i, line := range lines {
		id := "russellmitchell-" + strconv.Itoa(i+1)
		format, err := normalize.Detect(line)
		if err != nil || format.Name() != "wazuh" {
			t.Fatalf("line %d: detect = %v, %v", i+1, format, err)
		}
		a, err := normalize.Normalize("auto", line)
		if err != nil {
			t.Fatalf("line %d: normalize: %v", i+1, err)
		}
		if a.ID != id || !a.Time.Equal(time.Unix(want[i].time, 0)) {
			t.Fatalf("line %d: id %q time %v; want %q %v", i+1, a.ID, a.Time, id, time.Unix(want[i].time, 0).UTC())
		}
		if len(a.Entities.Hosts) != 1 || a.Entities.Hosts[0].Name != want[i].host || a.Entities.Hosts[0].IP != want[i].ip {
			t.Fatalf("line %d: hosts %+v; want %s %s", i+1, a.Entities.Hosts, want[i].host, want[i].ip)
		}
		label := LabelFalsePositive
		if want[i].trueAttack {
			label = LabelTruePositive
		}
		if labelRows[i+1] != id+","+label {
			t.Fatalf("label row %d = %q, want %q", i+1, labelRows[i+1], id+","+label)
		}
	}
}

// TestAllScenariosMapped checks that every name in the five shared scenarios
// has a rule, so that nothing in the real data takes the fallback.
func TestAllScenariosMapped(t *testing.T) {
	if testing.Short() {
		t.Skip("converts 1.3M rows")
	}
	total := 0
	for _, s := range scenarios {
		t.Run(s, func(t *testing.T) {
			f, err := os.Open(sharedFile(t, s+"_alerts.csv.gz"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := Convert(f, s, io.Discard, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Unmapped) != 0 || st.Rows == 0 || st.TruePositives == 0 {
				t.Errorf("stats = %+v", st)
			}
			total += st.Rows
		})
	}
	if total != 1314157 {
		t.Errorf("total rows = %d, want the 1,314,157 of the five scenarios", total)
	}
}
