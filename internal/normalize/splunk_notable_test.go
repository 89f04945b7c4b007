package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/internal/ingest"
)

var splunkNotableSamples = []string{
	"samples/splunk/xsoar-content_splunk_es_notable_event.json",
	"samples/splunk/xsoar-content_splunk_es_notable_two_events.json",
}

func init() { fuzzSeeds["splunk_notable"] = splunkNotableSamples }

// TestSplunkNotable checks each detection rule and the notable mapping.
func TestSplunkNotable(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // summary(a), "" when detection must fail
		check   string // in sentinelFullSummary
		wantErr string
	}{
		{
			name:  "index notable with urgency, risk object and mitre annotations",
			raw:   `{"index":"notable","_time":"1596545116","rule_title":"Malware on $dest$","rule_name":"Malware","rule_description":"AV hit","security_domain":"endpoint","urgency":"critical","severity":"low","dest":"ws7","src_user":"eve","risk_object":"ws7","risk_object_type":"system","risk_score":"80","orig_sid":"scheduler__x","annotations.mitre_attack.mitre_technique_id":["T1204.002"],"host":"es-sh01"}`,
			want:  "source=splunk_notable;time=2020-08-04T12:45:16Z;severity=critical;host=ws7/;dst=:0(ws7);users=eve;techniques=T1204.002;tags=splunk:notable,orig_sid:scheduler__x,risk_score:80",
			check: `"category":"endpoint"`,
		},
		{
			name: "sourcetype stash",
			raw:  `{"sourcetype":"stash","_raw":"x","_time":"2024-06-05T09:15:24.000+00:00","search_name":"Access - Brute Force - Rule","urgency":"medium","src":"192.0.2.8"}`,
			want: "source=splunk_notable;time=2024-06-05T09:15:24Z;severity=medium;src=192.0.2.8:0;tags=splunk:notable",
		},
		{
			name: "event_id with @@notable@@",
			raw:  `{"event_id":"AB12@@notable@@ff00","_time":"2024-06-05T09:15:24Z","rule_name":"R","urgency":"informational","user":"root"}`,
			want: "source=splunk_notable;id=AB12@@notable@@ff00;time=2024-06-05T09:15:24Z;severity=info;users=root;tags=splunk:notable",
		},
		{
			name: "rule_name, security_domain and urgency",
			raw:  `{"rule_name":"R","security_domain":"network","urgency":"high","_time":"2024-06-05T09:15:24Z","dvc":"fw01"}`,
			want: "source=splunk_notable;time=2024-06-05T09:15:24Z;severity=high;host=fw01/;tags=splunk:notable",
		},
		{
			name:    "notable without any name",
			raw:     `{"index":"notable","_time":"2024-06-05T09:15:24Z","urgency":"high"}`,
			wantErr: "without rule_title",
		},
		{
			name:    "notable without _time",
			raw:     `{"index":"notable","rule_name":"R","urgency":"high"}`,
			wantErr: "without _time",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Normalize("auto", []byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(a); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			if tt.check != "" && !strings.Contains(sentinelFullSummary(t, a), tt.check) {
				t.Errorf("missing %s in %s", tt.check, sentinelFullSummary(t, a))
			}
		})
	}
}

// TestSplunkWebhook: the webhook body is titled by its search, its ID is
// the search ID plus a hash of the row, and the row's CIM fields map.
func TestSplunkWebhook(t *testing.T) {
	body := func(row string) string {
		return `{"result":` + row + `,"sid":"scheduler_admin_search_W2_at_1","results_link":"http://splunk.example/x","search_name":"Brute force","owner":"admin","app":"search"}`
	}
	a, err := Normalize("auto", []byte(body(`{"src":"192.0.2.1","dest":"web01","user":"bob","host":"web01","signature":"Failed login","urgency":"high"}`)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Normalize("auto", []byte(body(`{"src":"192.0.2.2","dest":"web01","user":"bob","host":"web01","signature":"Failed login","urgency":"high"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != "splunk" || a.Title != "Brute force" || a.Rule.Name != "Brute force" || a.Severity != "high" {
		t.Errorf("got %+v", a)
	}
	if !strings.HasPrefix(a.ID, "scheduler_admin_search_W2_at_1-") || a.ID == b.ID {
		t.Errorf("IDs %q and %q: want the sid and distinct row hashes", a.ID, b.ID)
	}
	if got := summary(a); !strings.Contains(got, "host=web01/;src=192.0.2.1:0;dst=:0(web01);users=bob") || !strings.Contains(got, "splunk:webhook,splunk_app:search,splunk_owner:admin") {
		t.Errorf("summary %s", got)
	}
	if _, err := Normalize("splunk", []byte(`{"result":{"count":"1"},"sid":"","results_link":"x"}`)); err == nil || !strings.Contains(err.Error(), "without sid") {
		t.Errorf("err = %v, want a missing sid error", err)
	}
}

func FuzzSplunkNotable(f *testing.F) { fuzzFormat(f, "splunk_notable") }

func BenchmarkNormalizeSplunkNotable(b *testing.B) {
	var recs []ingest.Record
	for _, file := range splunkNotableSamples {
		recs = append(recs, records(b, file, 0)...)
	}
	benchRecords(b, "splunk_notable", "splunk_notable", recs)
}
