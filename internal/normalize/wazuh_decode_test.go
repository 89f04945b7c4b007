package normalize

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// wazuhStd is the encoding/json decoder that wazuhDecode replaced, kept
// as the reference it must agree with.
func wazuhStd(raw []byte) (alert.Alert, error) {
	var hit wazuhHit
	var r *wazuhRecord
	if bytes.Contains(raw, []byte(`"_source"`)) {
		if err := json.Unmarshal(raw, &hit); err != nil {
			return alert.Alert{}, err
		}
		r = hit.Source
	}
	if r == nil {
		r = new(wazuhRecord)
		if err := json.Unmarshal(raw, r); err != nil {
			return alert.Alert{}, err
		}
	}
	return r.alert(string(hit.ID), raw)
}

// checkWazuhDecode fails when Normalize and encoding/json disagree on raw.
func checkWazuhDecode(t testing.TB, raw []byte) {
	t.Helper()
	want, wantErr := wazuhStd(raw)
	got, err := wazuh{}.Normalize(raw)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("record %q: error %v, encoding/json %v", raw, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("record %q:\n got %+v\nwant %+v", raw, got, want)
	}
}

// TestWazuhDecode holds wazuhDecode to encoding/json on shapes the samples
// rarely have and on every Wazuh sample record.
func TestWazuhDecode(t *testing.T) {
	const rule = `"rule":{"id":"5710","level":5,"description":"sshd: attempt","groups":["sshd","authentication_failed"],"mitre":{"id":["T1110"]}}`
	tests := []struct {
		name, raw string
		wantErr   bool
	}{
		{"plain", `{"timestamp":"2020-03-04T13:55:05+0000",` + rule + `,"agent":{"id":"001","name":"web"},"data":{"srcip":"10.0.0.1","srcuser":"<root>"}}`, false},
		{"keys fold", `{"TIMESTAMP":"2020-03-04T13:55:05+0000","Rule":{"ID":"1","LEVEL":"3"},"Agent":{"Name":"web"},"DATA":{"SRCIP":"10.0.0.1"}}`, false},
		{"hit", `{"_index":"wazuh-alerts","_id":"abc","_source":{` + rule + `,"agent":{"id":"000"}}}`, false},
		{"hit with null source", `{"_id":"abc","_source":null,` + rule + `}`, false},
		{"hit source merges", `{"_id":"abc","_source":{` + rule + `},"_source":{"agent":{"name":"web"}}}`, false},
		{"source in a string only", `{` + rule + `,"full_log":"\"_source\""}`, false},
		{"source not an object", `{"_source":"x",` + rule + `}`, true},
		{"groups empty", `{"rule":{"id":"1","level":"3","groups":[]}}`, false},
		{"groups scalar", `{"rule":{"id":"1","level":"3","groups":"ids"}}`, false},
		{"mitre null", `{"rule":{"id":"1","level":"3","mitre":{"id":"T1059"},"mitre":null}}`, false},
		{"mitre array", `{"rule":{"id":"1","level":"3","mitre":[]}}`, true},
		{"eve data", `{"rule":{"id":"86601","level":3},"data":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","dest_port":"80","alert":{"category":"c"},"http":{"hostname":"a.example","url":"/x"}}}`, false},
		{"data http string", `{"rule":{"id":"86601","level":3},"data":{"http":"x"}}`, true},
		{"agent number", `{"rule":{"id":"1","level":3},"agent":1}`, true},
		{"bad level", `{"rule":{"id":"1","level":"high"}}`, true},
		{"top-level array", `[]`, true},
		{"invalid", `{"rule":`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkWazuhDecode(t, []byte(tt.raw))
			if _, err := (wazuh{}).Normalize([]byte(tt.raw)); (err != nil) != tt.wantErr {
				t.Errorf("error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	t.Run("samples", func(t *testing.T) {
		for _, file := range fuzzSeeds["wazuh"] {
			for _, r := range records(t, file, 0) {
				checkWazuhDecode(t, r.Data)
			}
		}
	})
}

// FuzzWazuhDecode holds wazuhDecode to encoding/json on arbitrary input.
func FuzzWazuhDecode(f *testing.F) {
	for _, file := range fuzzSeeds["wazuh"] {
		for _, r := range records(f, file, 0) {
			f.Add(r.Data)
		}
	}
	f.Add([]byte(`{"_id":"a","_source":{"rule":{"id":"1","level":3,"groups":[]}},"_source":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) { checkWazuhDecode(t, raw) })
}
