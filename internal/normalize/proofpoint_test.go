package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var proofpointSamples = []string{
	"samples/email_phishing/elastic-integrations_proofpoint_tap_clicks_permitted.jsonl",
	"samples/email_phishing/elastic-integrations_proofpoint_tap_messages_delivered_subset.jsonl",
}

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"proofpoint_elastic_tap_clicks_permitted", proofpointSamples[0], 0},
		goldenCase{"proofpoint_elastic_tap_messages_delivered", proofpointSamples[1], 0},
	)
	fuzzSeeds["proofpoint"] = proofpointSamples
}

// TestProofpoint checks the envelope, blocked lists, attachment threats,
// severity rules and broken events.
func TestProofpoint(t *testing.T) {
	const click = `{"campaignId":"c1","classification":"PHISH","clickIP":"192.0.2.30","clickTime":"2024-01-02T03:04:05.000Z","GUID":"g1","id":"click-1",` +
		`"recipient":"dave@corp.example","sender":"x@bad.example","senderIP":"203.0.113.5","threatID":"t1","threatStatus":"active","url":"https://bad.example/login","userAgent":"UA/1.0"}`
	const message = `{"GUID":"m-guid","id":"m-id","QID":"q1","messageID":"<a@b>","messageTime":"2024-02-03T04:05:06Z","sender":"s@bad.example","fromAddress":["from@bad.example"],` +
		`"recipient":["erin@corp.example"],"toAddresses":["erin@corp.example"],"ccAddresses":["frank@corp.example"],"subject":"Your parcel","senderIP":"198.51.100.77",` +
		`"threatsInfoMap":[{"threatID":"t-att","threatStatus":"active","classification":"MALWARE","threatType":"ATTACHMENT","threat":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},` +
		`{"threatID":"t-spam","threatStatus":"active","classification":"SPAM","threatType":"URL","threat":"http://spam.example/"}],` +
		`"messageParts":[{"disposition":"inline","filename":"text.txt","md5":"d41d8cd98f00b204e9800998ecf8427e"},{"disposition":"attached","filename":"parcel.zip","md5":"d41d8cd98f00b204e9800998ecf8427e","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}],` +
		`"spamScore":10,"phishScore":0,"malwareScore":100,"impostorScore":0,"policyRoutes":["default_inbound"],"quarantineFolder":"Attachment Defense"}`
	tests := []struct {
		name    string
		raw     string
		want    string
		check   func(t *testing.T, a alert.Alert)
		wantErr string
	}{
		{
			name: "bare click",
			raw:  click,
			want: "source=proofpoint;time=2024-01-02T03:04:05Z;severity=high;host=/192.0.2.30;src=203.0.113.5:0;users=dave@corp.example;" +
				"tags=proofpoint:click,campaign:c1,threat_status:active",
			check: func(t *testing.T, a alert.Alert) {
				if a.ID != "click-1" || a.Title != "Proofpoint TAP: click on phish URL" {
					t.Errorf("id %q title %q", a.ID, a.Title)
				}
				if a.Entities.Email == nil || a.Entities.Email.From != "x@bad.example" || len(a.Entities.URLs) != 1 || a.SourceSeverity != "PHISH/active" {
					t.Errorf("email %+v urls %v source severity %q", a.Entities.Email, a.Entities.URLs, a.SourceSeverity)
				}
			},
		},
		{
			name: "cleared threat is info",
			raw:  strings.Replace(click, `"active"`, `"cleared"`, 1),
			check: func(t *testing.T, a alert.Alert) {
				if a.Severity != alert.SeverityInfo {
					t.Errorf("severity %s", a.Severity)
				}
			},
		},
		{
			name: "message with malware attachment",
			raw:  message,
			want: "source=proofpoint;time=2024-02-03T04:05:06Z;severity=high;src=198.51.100.77:0;users=erin@corp.example;" +
				"file=|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;file=parcel.zip|d41d8cd98f00b204e9800998ecf8427ee3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;" +
				"tags=proofpoint:message,threat_type:attachment,threat_type:url,policy_route:default_inbound,quarantine:Attachment Defense",
			check: func(t *testing.T, a alert.Alert) {
				e := a.Entities.Email
				if e == nil || e.From != "from@bad.example" || strings.Join(e.To, ",") != "erin@corp.example,frank@corp.example" || e.Subject != "Your parcel" {
					t.Errorf("email %+v", e)
				}
				if a.ID != "m-guid" || a.Rule.ID != "t-att" || a.Rule.Category != "malware" || a.Title != "Proofpoint TAP: malware message" {
					t.Errorf("rule %+v title %q", a.Rule, a.Title)
				}
				if strings.Join(a.Entities.URLs, ",") != "http://spam.example/" {
					t.Errorf("urls %v", a.Entities.URLs)
				}
			},
		},
		{
			name: "message without threats is rated by scores",
			raw:  `{"GUID":"g","messageTime":"2024-02-03T04:05:06Z","threatsInfoMap":[],"phishScore":95,"subject":"hi"}`,
			check: func(t *testing.T, a alert.Alert) {
				if a.Severity != alert.SeverityMedium || !strings.Contains(a.SourceSeverity, "phishScore=95") {
					t.Errorf("severity %s (%s)", a.Severity, a.SourceSeverity)
				}
			},
		},
		{
			name: "blocked message in an envelope",
			raw:  `{"queryEndTime":"2024-02-03T05:00:00Z","messagesBlocked":[` + message + `]}`,
			check: func(t *testing.T, a alert.Alert) {
				if a.Severity != alert.SeverityMedium || a.Title != "Proofpoint TAP: malware message blocked" || a.Rule.Tags[0] != "proofpoint:messagesBlocked" {
					t.Errorf("severity %s title %q tags %v", a.Severity, a.Title, a.Rule.Tags)
				}
			},
		},
		{
			name:    "empty envelope has no alert for Normalize",
			raw:     `{"queryEndTime":"2024-10-11T14:34:53Z","clicksPermitted":[]}`,
			wantErr: "holds 0 events",
		},
		{
			name:    "event of no kind",
			raw:     `{"GUID":"x","subject":"y"}`,
			wantErr: "neither a click",
		},
		{
			name:    "click without time",
			raw:     `{"queryEndTime":"x","clicksBlocked":[{"id":"c"}]}`,
			wantErr: "clicksBlocked[0]: proofpoint clicksBlocked event without its time",
		},
		{
			name:    "bad time",
			raw:     `{"clickTime":"yesterday","clickIP":"192.0.2.1"}`,
			wantErr: "event time",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crowdstrikeCheck(t, "proofpoint", tt.raw, tt.want, tt.wantErr, tt.check)
		})
	}
	t.Run("envelope emits every list in order with its own Raw", func(t *testing.T) {
		raw := `{"queryEndTime":"2024-02-03T05:00:00Z","clicksBlocked":[` + click + `],"messagesDelivered":[` + message + `],"clicksPermitted":[]}`
		var got []string
		err := NormalizeAll("auto", []byte(raw), func(a alert.Alert) error {
			got = append(got, a.ID+"/"+string(a.Severity))
			if strings.Contains(string(a.Raw), "queryEndTime") {
				t.Error("Raw is the envelope, not the element")
			}
			return nil
		})
		if err != nil || strings.Join(got, ",") != "m-guid/high,click-1/medium" {
			t.Fatalf("got %v err %v", got, err)
		}
	})
	t.Run("empty envelope of the sample yields no alert", func(t *testing.T) {
		recs := records(t, proofpointSamples[0], 0)
		n := 0
		for _, r := range recs {
			if err := NormalizeAll("auto", r.Data, func(alert.Alert) error { n++; return nil }); err != nil {
				t.Errorf("line %d: %v", r.Line, err)
			}
		}
		if len(recs) != 5 || n != 4 {
			t.Errorf("%d records gave %d alerts, want 5 and 4", len(recs), n)
		}
	})
}

func FuzzProofpoint(f *testing.F) { fuzzFormat(f, "proofpoint") }

func BenchmarkNormalizeProofpoint(b *testing.B) {
	crowdstrikeBench(b, "proofpoint", proofpointSamples)
}
