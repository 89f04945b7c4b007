package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var msgraphSamples = []string{
	"samples/sentinel_defender/msgraph_security_alerts_v2_list_response.docs_example.json",
	"samples/sentinel_defender/msgraph_security_incidents_list_response.docs_example.json",
}

func TestMsgraphGolden(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"msgraph_alerts_v2_list_docs", msgraphSamples[0]},
		{"msgraph_incidents_list_docs", msgraphSamples[1]},
	} {
		t.Run(tc.name, func(t *testing.T) { sentinelGolden(t, tc.name, "msgraph", sentinelRecords(t, tc.file)) })
	}
}

// msgraphSummaries normalises raw with NormalizeAll and joins the alerts'
// summaries with " || ".
func msgraphSummaries(t *testing.T, format, raw string) (string, error) {
	t.Helper()
	var got []string
	err := NormalizeAll(format, []byte(raw), func(a alert.Alert) error {
		got = append(got, summary(a)+"|"+sentinelFullSummary(t, a))
		return nil
	})
	return strings.Join(got, " || "), err
}

// TestMsgraph checks evidence types and envelopes the docs samples lack.
func TestMsgraph(t *testing.T) {
	const mail = `{"@odata.type":"#microsoft.graph.security.alert","id":"m1","title":"Phish delivered","severity":"high","createdDateTime":"2024-05-01T10:00:00Z","serviceSource":"microsoftDefenderForOffice365","detectionSource":"x","mitreTechniques":["T1566.002","nope"],` +
		`"evidence":[{"@odata.type":"#microsoft.graph.security.analyzedMessageEvidence","senderIp":"198.51.100.4","recipientEmailAddress":"bob@contoso.example","p1Sender":{"emailAddress":"bounce@evil.example"},"p2Sender":{"emailAddress":"ceo@evil.example"},"subject":"Wire now","urls":["https://evil.example/a"],"networkMessageId":"n1"},` +
		`{"@odata.type":"#microsoft.graph.security.userEvidence","userAccount":{"accountName":"bob","domainName":"CONTOSO"}},` +
		`{"@odata.type":"#microsoft.graph.security.ipEvidence","ipAddress":"198.51.100.4"},{"@odata.type":"#microsoft.graph.security.urlEvidence","url":"https://evil.example/b"}]}`
	tests := []struct {
		name     string
		raw      string
		contains []string // in the joined summaries
		count    int
		wantErr  string
	}{
		{
			name:  "email alert",
			raw:   mail,
			count: 1,
			contains: []string{"id=m1;time=2024-05-01T10:00:00Z;severity=high;src=198.51.100.4:0;users=bob;techniques=T1566.002", `"from":"ceo@evil.example"`, `"to":["bob@contoso.example"]`,
				`"subject":"Wire now"`, `"urls":["https://evil.example/a","https://evil.example/b"]`, "network_message_id:n1"},
		},
		{
			name:     "list of an alert and an incident with expanded alerts",
			raw:      `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/incidents","value":[` + mail + `,{"@odata.type":"#microsoft.graph.security.incident","id":"i9","displayName":"Inc","severity":"low","createdDateTime":"2024-05-01T09:00:00Z","alerts":[` + mail + `,` + strings.Replace(mail, `"id":"m1"`, `"id":"m2"`, 1) + `]}]}`,
			count:    3,
			contains: []string{"id=m2;", "incident:i9"},
		},
		{
			name:     "incident without alerts",
			raw:      `{"@odata.type":"#microsoft.graph.security.incident","id":"i8","displayName":"Inc","severity":"informational","status":"active","createdDateTime":"2024-05-01T09:00:00Z","customTags":["Demo"]}`,
			count:    1,
			contains: []string{"id=i8;time=2024-05-01T09:00:00Z;severity=info;tags=msgraph:incident,status:active,custom_tag:Demo"},
		},
		{
			name:  "empty page",
			raw:   `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2","value":[]}`,
			count: 0,
		},
		{
			name:    "alert without title",
			raw:     `{"@odata.type":"#microsoft.graph.security.alert","id":"x","severity":"low"}`,
			wantErr: "without title",
		},
		{
			name:    "bad time",
			raw:     strings.Replace(mail, "2024-05-01T10:00:00Z", "soon", 1),
			wantErr: "msgraph time",
		},
		{
			name:    "list element of another kind",
			raw:     `{"value":[` + mail + `,{"id":"z"}]}`,
			wantErr: "value[1]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := msgraphSummaries(t, "auto", tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(got, "source=msgraph"); n != tt.count {
				t.Errorf("%d alerts, want %d: %s", n, tt.count, got)
			}
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("missing %s in %s", s, got)
				}
			}
		})
	}
}

func FuzzMsgraph(f *testing.F) { sentinelFuzz(f, "msgraph", msgraphSamples) }

func BenchmarkNormalizeMsgraph(b *testing.B) { sentinelBench(b, "msgraph", msgraphSamples) }
