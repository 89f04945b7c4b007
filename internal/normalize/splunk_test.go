package normalize

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// splunkViaDetect is what Normalize gave a CPTC row before the Suricata
// shortcut: the _raw record through format detection; ok is false when no
// format claims it.
func splunkViaDetect(t testing.TB, raw []byte) (a alert.Alert, ok bool, err error) {
	t.Helper()
	var row struct {
		Result struct {
			Raw        string `json:"_raw"`
			Time       string `json:"_time"`
			Sourcetype string `json:"sourcetype"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &row); err != nil {
		t.Fatal(err)
	}
	r := splunkResult{Time: text(row.Result.Time), Sourcetype: text(row.Result.Sourcetype)}
	a, ok, err = splunkDetected([]byte(row.Result.Raw), &r, "splunk:"+row.Result.Sourcetype)
	if ok && err == nil {
		a.Raw = raw
	}
	return a, ok, err
}

// TestSplunkSuricataShortcut checks that reading a Suricata _raw directly
// gives the alert detection gives, on every CPTC record, and that records
// the shortcut must not take still go through detection.
func TestSplunkSuricataShortcut(t *testing.T) {
	row := func(sourcetype, inner string) []byte {
		return []byte(`{"preview":false,"result":{"_raw":` + strconv.Quote(inner) + `,"_time":"2017-11-04T08:48:35.198-0400","sourcetype":"` + sourcetype + `"}}`)
	}
	const eveAlert = `{"timestamp":"2017-11-04T12:48:35.198583+0000","event_type":"alert","src_ip":"10.0.0.1","alert":{"signature":"ET X","signature_id":1}}`
	tests := []struct {
		name       string
		raw        []byte
		wantSource string
		wantErr    bool
	}{
		{"suricata sourcetype", row("suricata:alert", eveAlert), "suricata", false},
		{"bare suricata sourcetype", row("Suricata", eveAlert), "suricata", false},
		{"other sourcetype", row("json", eveAlert), "suricata", false},
		{"not claimed by suricata.Detect", row("suricata", `{"EVENT_TYPE":"alert","alert":{"signature":"ET X"}}`), "splunk", false},
		{"not an alert", row("suricata", `{"event_type":"dns","dns":{"rrname":"a.example"}}`), "splunk", false},
		{"claimed but broken", row("suricata", `{"event_type":"alert","alert":{"severity":1}}`), "", true},
		{"invalid inner", row("suricata", `{"event_type":"alert",`), "splunk", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := splunk{}.Normalize(tt.raw)
			if (err != nil) != tt.wantErr || a.Source != tt.wantSource {
				t.Fatalf("Normalize = source %q, error %v; want source %q, error %v", a.Source, err, tt.wantSource, tt.wantErr)
			}
			want, ok, werr := splunkViaDetect(t, tt.raw)
			if (werr != nil) != tt.wantErr || ok != (tt.wantSource == "suricata" || tt.wantErr) {
				t.Fatalf("detection path: claimed %v, error %v", ok, werr)
			}
			if ok && werr == nil && !reflect.DeepEqual(a, want) {
				t.Fatalf("got %+v\nwant %+v", a, want)
			}
		})
	}
	t.Run("cptc", func(t *testing.T) {
		max := 0
		if testing.Short() {
			max = 500
		}
		for _, team := range []string{"1", "2", "3", "4", "5", "6", "7"} {
			for _, r := range records(t, "data/alerts/cptc-2017/NationalTeam"+team+".json.gz", max) {
				a, err := splunk{}.Normalize(r.Data)
				want, ok, werr := splunkViaDetect(t, r.Data)
				if err != nil || werr != nil || !ok || !reflect.DeepEqual(a, want) {
					t.Fatalf("record %s:\n got %+v, %v\nwant %+v, %v, %v", r.Data, a, err, want, ok, werr)
				}
			}
		}
	})
}
