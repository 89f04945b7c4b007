package normalize

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// eveStd is the encoding/json decoder that eve.decode replaced, kept as the
// reference it must agree with.
func eveStd(raw []byte) (alert.Alert, error) {
	var e eve
	if err := json.Unmarshal(raw, &e); err != nil {
		return alert.Alert{}, err
	}
	return e.alert(raw)
}

// checkEVEDecode fails when the scanner-based Normalize and encoding/json
// disagree on raw: one errs and the other does not, or the alerts differ.
func checkEVEDecode(t testing.TB, raw []byte) {
	t.Helper()
	want, wantErr := eveStd(raw)
	got, err := suricata{}.Normalize(raw)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("record %q: error %v, encoding/json %v", raw, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("record %q:\n got %+v\nwant %+v", raw, got, want)
	}
}

// TestEVEDecode holds eve.decode to encoding/json on the shapes real
// records rarely have, and on every Suricata sample and every EVE record
// inside the CPTC Splunk exports.
func TestEVEDecode(t *testing.T) {
	const sig = `"alert":{"signature":"ET X","signature_id":1,"severity":2}`
	tests := []struct {
		name, raw string
		wantErr   bool
	}{
		{"plain", `{"event_type":"alert",` + sig + `,"src_ip":"10.0.0.1","src_port":80}`, false},
		{"keys fold", `{"EVENT_TYPE":"alert","Alert":{"SIGNATURE":"ET X"},"ſrc_ip":"10.0.0.1","Dest_IP":"10.0.0.2"}`, false},
		{"escaped key", `{"event\u005ftype":"alert",` + sig + `}`, false},
		{"repeat overwrites", `{"event_type":"x","event_type":"alert",` + sig + `,"src_ip":"1.1.1.1","src_ip":"2.2.2.2"}`, false},
		{"objects merge", `{"event_type":"alert",` + sig + `,"alert":{"category":"c"},"http":{"hostname":"a.example"},"http":{"url":"/x"}}`, false},
		{"alert null", `{"event_type":"alert",` + sig + `,"alert":null}`, true},
		{"alert string", `{"event_type":"alert","alert":"x"}`, true},
		{"http array", `{"event_type":"alert",` + sig + `,"http":[1]}`, true},
		{"http null", `{"event_type":"alert",` + sig + `,"http":{"hostname":"a.example"},"http":null}`, false},
		{"metadata", `{"event_type":"alert","alert":{"signature":"s","metadata":{"b":["2","3"],"a":"1","mitre_technique_id":["T1059"]}}}`, false},
		{"metadata merge and null", `{"event_type":"alert","alert":{"signature":"s","metadata":{"a":["1"]},"metadata":{"b":["2"]}},"alert":{"metadata":null}}`, false},
		{"metadata invalid key", "{\"event_type\":\"alert\",\"alert\":{\"signature\":\"s\",\"metadata\":{\"k\xff\":[\"1\"]}}}", false},
		{"metadata array", `{"event_type":"alert","alert":{"signature":"s","metadata":[]}}`, true},
		{"query reuse", `{"event_type":"alert",` + sig + `,"dns":{"query":[{"rrname":"a.example"},{"rrname":"b.example"}]},"dns":{"query":[{},null]}}`, false},
		{"query stale beyond end", `{"event_type":"alert",` + sig + `,"dns":{"query":[{"rrname":"a.example"},{"rrname":"b.example"}],"query":[{}],"query":[{},{}]}}`, false},
		{"query emptied", `{"event_type":"alert",` + sig + `,"dns":{"query":[{"rrname":"a.example"},{"rrname":"b.example"}],"query":[],"query":[{},{}]}}`, false},
		{"query element string", `{"event_type":"alert",` + sig + `,"dns":{"query":["a"]}}`, true},
		{"query object", `{"event_type":"alert",` + sig + `,"dns":{"query":{}}}`, true},
		{"scalars from arrays and objects", `{"event_type":["","alert"],` + sig + `,"src_ip":{"x":1},"timestamp":null}`, false},
		{"top-level array", `[1]`, true},
		{"top-level null", `null`, true},
		{"invalid", `{"event_type":"alert",`, true},
		{"trailing data", `{"event_type":"alert",` + sig + `} {}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEVEDecode(t, []byte(tt.raw))
			if _, err := (suricata{}).Normalize([]byte(tt.raw)); (err != nil) != tt.wantErr {
				t.Errorf("error = %v, want error %v", err, tt.wantErr)
			}
		})
	}
	t.Run("samples", func(t *testing.T) {
		for _, file := range fuzzSeeds["suricata"] {
			for _, r := range records(t, file, 0) {
				checkEVEDecode(t, r.Data)
			}
		}
	})
	t.Run("cptc", func(t *testing.T) {
		max := 0
		if testing.Short() {
			max = 500
		}
		for _, team := range []string{"1", "2", "3", "4", "5", "6", "7"} {
			for _, r := range records(t, "data/alerts/cptc-2017/NationalTeam"+team+".json.gz", max) {
				var row struct {
					Result struct {
						Raw string `json:"_raw"`
					} `json:"result"`
				}
				if err := json.Unmarshal(r.Data, &row); err != nil {
					t.Fatal(err)
				}
				checkEVEDecode(t, []byte(row.Result.Raw))
			}
		}
	})
}

// FuzzEVEDecode holds eve.decode to encoding/json on arbitrary input.
func FuzzEVEDecode(f *testing.F) {
	for _, file := range fuzzSeeds["suricata"] {
		for _, r := range records(f, file, 0) {
			f.Add(r.Data)
		}
	}
	f.Add([]byte(`{"event_type":"alert","alert":{"signature":"s","metadata":{"a":["1"]}},"dns":{"query":[{"rrname":"a"},null]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) { checkEVEDecode(t, raw) })
}
