package normalize

import (
	"strings"
	"testing"
)

var ocsfSamples = []string{
	"samples/ocsf/aws_securityhub_guardduty.detection_finding_2004.ocsf.json",
	"samples/ocsf/okta_threat_detected.detection_finding_2004.ocsf.json",
	"samples/ocsf/prowler.detection_finding_2004.ocsf.json",
	"samples/ocsf/falco.security_finding_2001.ocsf.json",
	"samples/ocsf/qradar_offense.security_finding_2001.ocsf.json",
	"samples/ocsf/securityscorecard_malware.security_finding_2001.ocsf.json",
}

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"ocsf_aws_securityhub_guardduty_2004", ocsfSamples[0], 0},
		goldenCase{"ocsf_okta_threat_detected_2004", ocsfSamples[1], 0},
		goldenCase{"ocsf_prowler_2004", ocsfSamples[2], 0},
		goldenCase{"ocsf_falco_2001", ocsfSamples[3], 0},
		goldenCase{"ocsf_qradar_offense_2001", ocsfSamples[4], 0},
		goldenCase{"ocsf_securityscorecard_malware_2001", ocsfSamples[5], 0},
	)
	fuzzSeeds["ocsf"] = ocsfSamples
}

// TestOCSF checks mappings the samples do not exercise.
func TestOCSF(t *testing.T) {
	const meta = `"class_uid":2004,"metadata":{"product":{"name":"EDR"},"labels":["edr"]}`
	tests := []struct {
		name    string
		raw     string
		want    string // summary(a)
		check   func(t *testing.T, got string)
		wantErr string
	}{
		{
			name: "detection finding with entities, attacks and fatal severity",
			raw: `{` + meta + `,"time":1700000000000,"severity_id":6,"finding_info":{"uid":"f1","title":"Credential dumping","types":["Credential Access"],` +
				`"analytic":{"uid":"a1","name":"LSASS access","category":"EDR"},"attacks":[{"technique":{"uid":"T1003"},"sub_technique":{"uid":"T1003.001"}}]},` +
				`"device":{"hostname":"ws-1","ip":"10.0.0.5","uid":"d1"},"actor":{"user":{"name":"bob","domain":"CORP"},"process":{"name":"procdump.exe","cmd_line":"procdump -ma lsass","pid":42,"parent_process":{"name":"cmd.exe"}}},` +
				`"src_endpoint":{"ip":"10.0.0.5","port":5000},"dst_endpoint":{"ip":"203.0.113.7","port":443,"domain":"c2.example"},` +
				`"evidences":[{"file":{"name":"x.exe","hashes":[{"algorithm_id":3,"value":"90143dfb2e3210f18e1bcc50eb6c3961d11071e3ec024215b8835e468fa63e53"}]},"url":{"url_string":"https://c2.example/p"},"query":{"hostname":"c2.example"}}]}`,
			want: "source=ocsf;id=f1;time=2023-11-14T22:13:20Z;severity=critical;host=ws-1/10.0.0.5;src=10.0.0.5:5000;dst=203.0.113.7:443(c2.example);users=bob;domains=c2.example;file=x.exe|90143dfb2e3210f18e1bcc50eb6c3961d11071e3ec024215b8835e468fa63e53;techniques=T1003,T1003.001;tags=Credential Access,edr,ocsf:EDR",
		},
		{
			name: "unknown severity id falls back to the caption",
			raw:  `{` + meta + `,"severity_id":99,"severity":"High","finding_info":{"uid":"f2","title":"T"}}`,
			want: "source=ocsf;id=f2;time=0001-01-01T00:00:00Z;severity=high;tags=edr,ocsf:EDR",
		},
		{
			name: "unknown severity without a caption is medium; message is the title",
			raw:  `{` + meta + `,"severity_id":0,"message":"Only a message","finding_info":{"uid":"f3"},"observables":[{"type_id":4,"value":"carol"},{"type_id":8,"value":"d41d8cd98f00b204e9800998ecf8427e"}]}`,
			want: "source=ocsf;id=f3;time=0001-01-01T00:00:00Z;severity=medium;users=carol;file=|d41d8cd98f00b204e9800998ecf8427e;tags=edr,ocsf:EDR",
		},
		{
			name:    "no finding object",
			raw:     `{` + meta + `,"severity_id":3}`,
			wantErr: "without finding_info",
		},
		{
			name:    "no title",
			raw:     `{` + meta + `,"finding_info":{"uid":"x"}}`,
			wantErr: "without finding_info.title",
		},
		{
			name:    "not a finding class",
			raw:     `{"class_uid":3002,"metadata":{},"finding_info":{"title":"x"}}`,
			wantErr: "class_uid",
		},
		{
			name:    "bad time",
			raw:     `{` + meta + `,"time":"soon","finding_info":{"title":"x"}}`,
			wantErr: "ocsf time",
		},
		{
			name:    "broken JSON",
			raw:     `{` + meta + `,"finding_info":{"title":"x"}`,
			wantErr: "decode ocsf finding",
		},
	}
	f, ok := Lookup("ocsf")
	if !ok {
		t.Fatal("ocsf not registered")
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

func TestOCSFSeverity(t *testing.T) {
	tests := []struct{ id, caption, want string }{
		{"0", "", "medium"}, {"1", "Informational", "info"}, {"2", "", "low"}, {"3", "", "medium"},
		{"4", "", "high"}, {"5", "", "critical"}, {"6", "Fatal", "critical"}, {"99", "Critical", "critical"},
		{"0", "Informational ", "info"}, {"", "Low", "low"}, {"7", "bogus", "medium"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.caption, func(t *testing.T) {
			if got, _ := ocsfSeverity(tt.id, tt.caption); string(got) != tt.want {
				t.Errorf("ocsfSeverity(%q, %q) = %s, want %s", tt.id, tt.caption, got, tt.want)
			}
		})
	}
}

func FuzzOCSF(f *testing.F) { fuzzFormat(f, "ocsf") }

func BenchmarkNormalizeOCSF(b *testing.B) {
	var recs [][]byte
	for _, file := range ocsfSamples {
		for _, r := range records(b, file, 0) {
			recs = append(recs, r.Data)
		}
	}
	f, _ := Lookup("ocsf")
	elasticBenchLoop(b, recs, func(raw []byte) error { _, err := f.Normalize(raw); return err })
}
