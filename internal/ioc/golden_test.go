package ioc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// goldenInputs returns real alert texts from the shared samples: Wazuh
// full_log lines and whole Suricata EVE records, each with a label.
func goldenInputs(tb testing.TB) (labels, texts []string) {
	tb.Helper()
	for i, m := range jsonLines(tb, sharedPath(tb, "samples/wazuh/aecid_ossec_insect_sample.jsonl")) {
		labels = append(labels, fmt.Sprintf("wazuh/aecid_ossec_insect_sample.jsonl:%d full_log", i+1))
		texts = append(texts, str(m, "full_log"))
	}
	for _, name := range []string{"cptc2017_eve_alerts.jsonl", "aecid_2020_eve_alerts_from_wazuh_full_log.jsonl"} {
		path := sharedPath(tb, "samples/suricata/"+name)
		data, err := os.ReadFile(path)
		if err != nil {
			tb.Fatalf("read %s: %v", path, err)
		}
		for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			labels = append(labels, fmt.Sprintf("suricata/%s:%d", name, i+1))
			texts = append(texts, string(line))
		}
	}
	return labels, texts
}

func TestGolden(t *testing.T) {
	x := New(Options{InternalDomains: []string{"corp.gothamelections.com"}})
	labels, texts := goldenInputs(t)
	var b bytes.Buffer
	for i, s := range texts {
		fmt.Fprintf(&b, "# %s\n", labels[i])
		for _, o := range x.Text(nil, s, "text") {
			fmt.Fprintf(&b, "%s\t%s\t%s\n", o.Type, o.Value, o.Class)
		}
	}
	golden := filepath.Join("testdata", "samples.golden")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (run with UPDATE_GOLDEN=1 to create it): %v", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("output differs from %s (refresh with UPDATE_GOLDEN=1 after review):\n%s", golden, b.String())
	}
}
