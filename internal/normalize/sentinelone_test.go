package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var sentineloneSamples = []string{
	"samples/crowdstrike_sentinelone/elastic-integrations_sentinelone_threats_api_v2.1.jsonl",
}

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"sentinelone_elastic_threats_api_v2.1", sentineloneSamples[0], 0})
	fuzzSeeds["sentinelone"] = sentineloneSamples
}

// TestSentinelone checks confidence levels, ATT&CK links, the list
// envelope and broken records.
func TestSentinelone(t *testing.T) {
	const threat = `{"id":"42","agentRealtimeInfo":{"agentComputerName":"LT-7","agentId":"9","networkInterfaces":[{"inet":["192.0.2.8"]}]},` +
		`"threatInfo":{"threatId":"1700","threatName":"invoice.docm","classification":"Malware","confidenceLevel":"suspicious",` +
		`"sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","filePath":"\\Users\\eve\\invoice.docm","processUser":"CORP\\eve",` +
		`"originatorProcess":"winword.exe","maliciousProcessArguments":"winword.exe /n invoice.docm","identifiedAt":"2023-01-02T03:04:05.678Z","engines":["On-Write Static AI"]},` +
		`"indicators":[{"category":"Exploitation","description":"Office program ran macro","tactics":[{"name":"Execution","techniques":[` +
		`{"name":"T1204.002","link":"https://attack.mitre.org/techniques/T1204/002/"},{"name":"T1059","link":"https://example.com/"},{"name":"User Execution","link":""}]}]}]}`
	tests := []struct {
		name    string
		raw     string
		want    string
		check   func(t *testing.T, a alert.Alert)
		wantErr string
	}{
		{
			name: "suspicious threat with ATT&CK links",
			raw:  threat,
			want: `source=sentinelone;id=1700;time=2023-01-02T03:04:05.678Z;severity=medium;host=LT-7/192.0.2.8;users=CORP\eve;` +
				`file=\Users\eve\invoice.docm|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;techniques=T1204.002;` +
				`tags=indicator:Exploitation,tactic:Execution,technique:T1059,technique:User Execution`,
			check: func(t *testing.T, a alert.Alert) {
				if a.Title != "Malware detected: invoice.docm" || a.Rule.Name != "On-Write Static AI" || a.Rule.Category != "Malware" {
					t.Errorf("title %q rule %+v", a.Title, a.Rule)
				}
				if len(a.Entities.Processes) != 1 || a.Entities.Processes[0].CommandLine != "winword.exe /n invoice.docm" {
					t.Errorf("processes %+v", a.Entities.Processes)
				}
				if len(a.Text) != 1 || a.Text[0] != "Office program ran macro" {
					t.Errorf("text %q", a.Text)
				}
			},
		},
		{
			name: "confidence n/a is low",
			raw:  strings.Replace(threat, `"suspicious"`, `"n/a"`, 1),
			check: func(t *testing.T, a alert.Alert) {
				if a.Severity != alert.SeverityLow || a.SourceSeverity != "n/a" {
					t.Errorf("severity %s (%s)", a.Severity, a.SourceSeverity)
				}
			},
		},
		{
			name: "envelope of one threat",
			raw:  `{"data":[` + threat + `],"pagination":{"nextCursor":null,"totalItems":1}}`,
			want: "",
			check: func(t *testing.T, a alert.Alert) {
				if a.ID != "1700" {
					t.Errorf("id %q", a.ID)
				}
			},
		},
		{
			name:    "envelope of two threats needs NormalizeAll",
			raw:     `{"data":[` + threat + `,` + threat + `],"pagination":{}}`,
			wantErr: "use NormalizeAll",
		},
		{
			name:    "threat without threatInfo",
			raw:     `{"id":"1","threatInfo":null,"agentRealtimeInfo":{}}`,
			wantErr: "without threatInfo",
		},
		{
			name:    "bad identifiedAt",
			raw:     `{"threatInfo":{"threatName":"x","identifiedAt":"later"},"agentDetectionInfo":{}}`,
			wantErr: "identifiedAt",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crowdstrikeCheck(t, "sentinelone", tt.raw, tt.want, tt.wantErr, tt.check)
		})
	}
	t.Run("envelope emits each threat with its own Raw", func(t *testing.T) {
		raw := `{"data":[` + threat + `,` + strings.Replace(threat, `"1700"`, `"1701"`, 1) + `],"pagination":{}}`
		var ids []string
		err := NormalizeAll("auto", []byte(raw), func(a alert.Alert) error {
			ids = append(ids, a.ID)
			if string(a.Raw) != threat && !strings.Contains(string(a.Raw), `"1701"`) || strings.HasPrefix(string(a.Raw), `{"data"`) {
				t.Errorf("Raw is not the element: %.40s", a.Raw)
			}
			return nil
		})
		if err != nil || strings.Join(ids, ",") != "1700,1701" {
			t.Fatalf("ids %v err %v", ids, err)
		}
	})
	t.Run("empty envelope emits nothing", func(t *testing.T) {
		n := 0
		err := NormalizeAll("sentinelone", []byte(`{"data":[],"pagination":{"totalItems":0}}`), func(alert.Alert) error { n++; return nil })
		if err != nil || n != 0 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
}

func FuzzSentinelone(f *testing.F) { fuzzFormat(f, "sentinelone") }

func BenchmarkNormalizeSentinelone(b *testing.B) {
	crowdstrikeBench(b, "sentinelone", sentineloneSamples)
}
