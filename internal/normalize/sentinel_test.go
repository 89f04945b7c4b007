package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var sentinelSamples = []string{
	"samples/sentinel_defender/secrl_SecurityAlert_sample.csv",
	"samples/sentinel_defender/secrl_SecurityIncident_all8.csv",
	"samples/email_phishing/secrl_SecurityAlert_MDO_email_alerts.csv",
}

func TestSentinelGolden(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"sentinel_secrl_security_alert", sentinelSamples[0]},
		{"sentinel_secrl_security_incident", sentinelSamples[1]},
		{"sentinel_secrl_mdo_email_alerts", sentinelSamples[2]},
	} {
		t.Run(tc.name, func(t *testing.T) { sentinelGolden(t, tc.name, "sentinel", sentinelRecords(t, tc.file)) })
	}
}

// sentinelEntitiesJSON is an Entities column with forward and backward
// $ref links, a process whose image and parent are references, and a mail
// message.
const sentinelEntitiesJSON = `[{"$id":"2","HostName":"ws1","DnsDomain":"corp.example","Type":"host"},` +
	`{"$id":"3","ProcessId":"42","CommandLine":"powershell -enc AAA","ImageFile":{"$ref":"5"},"ParentProcess":{"$id":"4","ProcessId":"7","ImageFile":{"$id":"6","Name":"explorer.exe","Type":"file"},"Type":"process"},"Type":"process"},` +
	`{"$id":"5","Directory":"C:\\Windows","Name":"powershell.exe","FileHashes":[{"$id":"8","Algorithm":"SHA256","Value":"9785001B0DCF755EDDB8AF294A373C0B87B2498660F724E76C4D53F9C217C7A3","Type":"filehash"}],"Type":"file"},` +
	`{"$ref":"8"},{"$ref":"4"},{"$ref":"99"},` +
	`{"$id":"9","Name":"alice","NTDomain":"CORP","Type":"account"},{"$id":"10","Address":"203.0.113.7","Type":"ip"},` +
	`{"$id":"11","DomainName":"evil.example.","Type":"dns"},{"$id":"12","Url":"https://evil.example/x","Type":"url"},` +
	`{"$id":"13","Sender":"bad@evil.example","Recipient":"alice@corp.example","Subject":"Invoice","Urls":["https://evil.example/pay"],"SenderIP":"198.51.100.9","Threats":["Phish"],"DeliveryAction":"Delivered","Type":"mailMessage"},` +
	`{"$id":"14","Hive":"HKEY_LOCAL_MACHINE","Key":"SOFTWARE\\Run","Type":"registry-key"}]`

// TestSentinel checks shapes the CSV samples lack: typed JSON rows, the
// query API's table envelope, $ref resolution, list columns and errors.
func TestSentinel(t *testing.T) {
	entities := sentinelQuote(sentinelEntitiesJSON)
	tests := []struct {
		name    string
		raw     string
		want    string                         // summary(a)
		check   func(t *testing.T, got string) // over sentinelFullSummary
		wantErr string
	}{
		{
			name: "typed alert row with entities as a string",
			raw:  `{"TimeGenerated":"2024-07-04T22:35:00.746663Z","StartTime":"2024-07-02T09:47:31Z","AlertName":"Susp","AlertSeverity":"High","SystemAlertId":"a1","IsIncident":false,"ConfidenceScore":0.5,"Tactics":"Execution, Discovery","Techniques":"T1059, T1082","SubTechniques":["T1059.001"],"Entities":` + entities + `}`,
			want: "source=sentinel;id=a1;time=2024-07-02T09:47:31Z;severity=high;host=ws1.corp.example/;src=203.0.113.7:0;src=198.51.100.9:0;users=alice;domains=evil.example;" +
				`file=C:\Windows\powershell.exepowershell.exe|9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3;file=explorer.exe|;techniques=T1059,T1082,T1059.001;` +
				"tags=sentinel:alert,tactic:Execution,tactic:Discovery,threat:Phish,delivery_action:Delivered",
			check: func(t *testing.T, got string) {
				for _, s := range []string{`powershell -enc AAA`, `"pid":42`, `"parent":"explorer.exe"`, `"from":"bad@evil.example"`, `"to":["alice@corp.example"]`, `"subject":"Invoice"`, `https://evil.example/pay`, `HKEY_LOCAL_MACHINE\\SOFTWARE\\Run`, `"category":"Execution"`} {
					if !strings.Contains(got, s) {
						t.Errorf("missing %s in %s", s, got)
					}
				}
			},
		},
		{
			name: "entities as a JSON array, not a string",
			raw:  `{"TimeGenerated":"2024-07-04T22:35:00Z","AlertName":"A","AlertSeverity":"Informational","SystemAlertId":"a2","Entities":` + sentinelEntitiesJSON + `}`,
			want: "source=sentinel;id=a2;time=2024-07-04T22:35:00Z;severity=info;host=ws1.corp.example/;src=203.0.113.7:0;src=198.51.100.9:0;users=alice;domains=evil.example;" +
				`file=C:\Windows\powershell.exepowershell.exe|9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3;file=explorer.exe|;tags=sentinel:alert,threat:Phish,delivery_action:Delivered`,
		},
		{
			name: "compromised entity adds the host once, any case",
			raw:  `{"TimeGenerated":"2024-07-04 22:35:00+00:00","AlertName":"A","AlertSeverity":"Critical","SystemAlertId":"a3","CompromisedEntity":"WS1.corp.example","Entities":"[{\"HostName\":\"ws1\",\"DnsDomain\":\"corp.example\",\"Type\":\"host\"}]"}`,
			want: "source=sentinel;id=a3;time=2024-07-04T22:35:00Z;severity=critical;host=ws1.corp.example/;tags=sentinel:alert",
		},
		{
			name: "incident with typed dynamic columns",
			raw:  `{"IncidentNumber":55,"IncidentName":"c5085ef5","Title":"Multi-stage","Severity":"Medium","Status":"Active","FirstActivityTime":"2024-07-01T15:01:28Z","AlertIds":["x1","x2"],"AdditionalData":{"tactics":["InitialAccess"],"techniques":["T1566","bad"]},"Owner":{"assignedTo":"SOC"}}`,
			want: "source=sentinel;id=c5085ef5;time=2024-07-01T15:01:28Z;severity=medium;techniques=T1566;tags=sentinel:incident,incident_number:55,status:Active,owner:SOC,alert:x1,alert:x2,tactic:InitialAccess",
		},
		{
			name:    "entities that are not JSON",
			raw:     `{"AlertName":"A","AlertSeverity":"Low","SystemAlertId":"a4","Entities":"[{oops"}`,
			wantErr: "sentinel Entities",
		},
		{
			name:    "bad time",
			raw:     `{"AlertName":"A","AlertSeverity":"Low","SystemAlertId":"a5","TimeGenerated":"yesterday"}`,
			wantErr: "sentinel time",
		},
		{
			name:    "alert row without a name",
			raw:     `{"AlertSeverity":"Low","SystemAlertId":"a6"}`,
			wantErr: "without DisplayName or AlertName",
		},
		{
			name:    "table with several rows needs NormalizeAll",
			raw:     `{"tables":[{"name":"PrimaryResult","columns":[{"name":"SystemAlertId","type":"string"},{"name":"AlertName","type":"string"}],"rows":[["1","A"],["2","B"]]}]}`,
			wantErr: "several rows",
		},
		{
			name:    "table row shorter than its columns",
			raw:     `{"tables":[{"columns":[{"name":"SystemAlertId"},{"name":"AlertName"}],"rows":[["1"]]}]}`,
			wantErr: "1 values for 2 columns",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Normalize("", []byte(tt.raw))
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
			if tt.check != nil {
				tt.check(t, sentinelFullSummary(t, a))
			}
		})
	}
}

func TestSentinelTables(t *testing.T) {
	raw := `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"SystemAlertId","type":"string"},{"name":"AlertName","type":"string"},{"name":"AlertSeverity","type":"string"}],` +
		`"rows":[["2024-07-04T22:35:00Z","id1","First","Low"],["2024-07-05T22:35:00Z","id2","Second","High"]]}]}`
	var got []string
	err := NormalizeAll("auto", []byte(raw), func(a alert.Alert) error {
		got = append(got, a.ID+"|"+a.Title+"|"+string(a.Severity)+"|"+string(a.Raw))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`id1|First|low|{"TimeGenerated":"2024-07-04T22:35:00Z","SystemAlertId":"id1","AlertName":"First","AlertSeverity":"Low"}`,
		`id2|Second|high|{"TimeGenerated":"2024-07-05T22:35:00Z","SystemAlertId":"id2","AlertName":"Second","AlertSeverity":"High"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
}

func TestSentinelSeverity(t *testing.T) {
	for in, want := range map[string]string{
		"Informational": "info", "Low": "low", "Medium": "medium", "High": "high", "Critical": "critical",
		"UnSpecified": "info", "": "info", " high ": "high",
	} {
		if got := string(sentinelSeverity(in)); got != want {
			t.Errorf("sentinelSeverity(%q) = %s, want %s", in, got, want)
		}
	}
}

func FuzzSentinel(f *testing.F) { sentinelFuzz(f, "sentinel", sentinelSamples) }

func BenchmarkNormalizeSentinel(b *testing.B) { sentinelBench(b, "sentinel", sentinelSamples) }
