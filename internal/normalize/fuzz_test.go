package normalize

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzSeeds are the sample files each format's fuzz target starts from.
var fuzzSeeds = map[string][]string{
	"wazuh": {
		"samples/wazuh/aecid_ossec_insect_sample.jsonl",
		"samples/wazuh/aecid_ossec_spiral_correlation_sample.jsonl",
		"samples/wazuh/wazuh-indexer_amazon-security-lake_wazuh-event.sample.json",
	},
	"suricata": {
		"samples/suricata/cptc2017_eve_alerts.jsonl",
		"samples/suricata/aecid_2020_eve_alerts_from_wazuh_full_log.jsonl",
		"samples/suricata/ibm_qradar_docs_suricata_eve_alert.json",
	},
	"splunk": {
		"samples/splunk/cptc2017_splunk_search_results_suricata.json",
		"samples/splunk/splunk_docs_webhook_alert_action_payload.json",
		"samples/splunk/xsoar-content_splunk_es_notable_event.json",
		"samples/splunk/xsoar-content_splunk_es_notable_two_events.json",
	},
}

// fuzzFormat checks one format: Normalize never panics and returns either
// a usable alert or an error, and auto-detection agrees with the format.
func fuzzFormat(f *testing.F, name string) {
	for _, file := range fuzzSeeds[name] {
		for _, r := range records(f, file, 0) {
			f.Add(r.Data)
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"rule":{"level":"x"},"agent":{},"timestamp":1}`))
	format, ok := Lookup(name)
	if !ok {
		f.Fatalf("format %s not registered", name)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := format.Normalize(raw)
		if err != nil {
			return
		}
		if a.Source == "" || a.ID == "" || a.Title == "" || a.Severity.Rank() == 0 {
			t.Fatalf("alert without source, id, title or severity and no error: %+v", a)
		}
		if !a.Time.IsZero() && a.Time.Location() != time.UTC {
			t.Fatalf("time %v not in UTC", a.Time)
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatalf("alert does not marshal: %v", err)
		}
		if d, err := Detect(raw); err == nil && d.Name() == name {
			b, err := Normalize("auto", raw)
			if err != nil || b.ID != a.ID {
				t.Fatalf("auto-detected normalisation differs: %v, %q vs %q", err, b.ID, a.ID)
			}
		}
	})
}

func FuzzNormalizeWazuh(f *testing.F)    { fuzzFormat(f, "wazuh") }
func FuzzNormalizeSuricata(f *testing.F) { fuzzFormat(f, "suricata") }
func FuzzNormalizeSplunk(f *testing.F)   { fuzzFormat(f, "splunk") }

// FuzzScanFields checks the key scanner against encoding/json: on valid
// objects it must find exactly the members the decoder finds.
func FuzzScanFields(f *testing.F) {
	for _, files := range fuzzSeeds {
		for _, file := range files {
			for _, r := range records(f, file, 3) {
				f.Add(r.Data)
			}
		}
	}
	f.Add([]byte(`{"a\u0022":"\\","b":[{"]":"}"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fs, err := ScanFields(raw, nil)
		var m map[string]json.RawMessage
		// Keys are compared as raw bytes, which encoding/json would alter
		// by replacing invalid UTF-8.
		if !utf8.Valid(raw) || json.Unmarshal(raw, &m) != nil {
			return
		}
		if err != nil {
			t.Fatalf("ScanFields rejected a valid object: %v", err)
		}
		seen := map[string]bool{}
		for _, fl := range fs {
			seen[string(fl.Key)] = true
			if !json.Valid(fl.Value) {
				t.Fatalf("value of %q is not valid JSON: %q", fl.Key, fl.Value)
			}
		}
		if len(seen) != len(m) {
			t.Fatalf("ScanFields found %d distinct keys, encoding/json %d", len(seen), len(m))
		}
		for k := range m {
			if !seen[k] {
				t.Fatalf("key %q missed", k)
			}
		}
	})
}

// FuzzUnquote checks the string decoder against encoding/json.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"a\"b"`, `"\u00e9\ud83d\ude00\/"`, `"\ud800x"`, `"tab\tnl\n"`, `"\uDFFF\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		// The decoder hands UnmarshalJSON exactly the literal, no spaces.
		if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' || json.Unmarshal(b, &want) != nil {
			return
		}
		got, err := unquote(b)
		if err != nil || got != want {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json gives %q", b, got, err, want)
		}
	})
}
