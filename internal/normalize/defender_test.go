package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var defenderSamples = []string{
	"samples/sentinel_defender/defender-xdr_api_list_incidents_response.docs_example.json",
	"samples/email_phishing/defender-xdr_api_incident_OfficeATP_user_reported_phish.docs_example.json",
}

func TestDefenderGolden(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"defender_list_incidents_docs", defenderSamples[0]},
		{"defender_officeatp_user_reported_phish_docs", defenderSamples[1]},
	} {
		t.Run(tc.name, func(t *testing.T) { sentinelGolden(t, tc.name, "defender", sentinelRecords(t, tc.file)) })
	}
}

// TestDefender checks the phish incident's email mapping and entity types
// the docs samples lack.
func TestDefender(t *testing.T) {
	proc := `{"incidentId":7,"incidentName":"Proc","severity":"High","alerts":[{"alertId":"p1","title":"Encoded PowerShell","severity":"High","creationTime":"2024-01-02T03:04:05Z","mitreTechniques":["T1059.001"],` +
		`"devices":[{"mdatpDeviceId":"d1","deviceDnsName":"ws1.contoso.example"}],` +
		`"entities":[{"entityType":"Process","processId":4242,"processCommandLine":"powershell -enc AA","fileName":"powershell.exe","filePath":"C:\\Windows","sha1":"A2D8D23854E33984C08DCF8B03EDC619C9C5EC69"},` +
		`{"entityType":"Url","url":"https://evil.example/x"},{"entityType":"Registry","registryHive":"HKEY_CURRENT_USER","registryKey":"Software\\Run"},{"entityType":"MailCluster","clusterBy":"Subject"}]}]}`
	tests := []struct {
		name     string
		raw      string
		count    int
		contains []string
		wantErr  string
	}{
		{
			name:  "process, url and registry entities",
			raw:   proc,
			count: 1,
			contains: []string{"id=p1;time=2024-01-02T03:04:05Z;severity=high;host=ws1.contoso.example/;file=C:\\Windows\\powershell.exepowershell.exe|a2d8d23854e33984c08dcf8b03edc619c9c5ec69;techniques=T1059.001;tags=defender:alert,incident:7",
				`"cmd_line":"powershell -enc AA","pid":4242`, `"urls":["https://evil.example/x"]`, `HKEY_CURRENT_USER\\Software\\Run`},
		},
		{
			name:    "incident without id",
			raw:     `{"incidentName":"x","alerts":[]}`,
			wantErr: "without incidentId",
		},
		{
			name:    "alert without title",
			raw:     `{"incidentId":1,"incidentName":"x","alerts":[{"alertId":"a"}]}`,
			wantErr: "without title",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := msgraphSummaries(t, "defender", tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(got, "source=defender"); n != tt.count {
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

// TestDefenderPhishEmail: the OfficeATP user-reported phish fills
// Entities.Email from its MailMessage entity.
func TestDefenderPhishEmail(t *testing.T) {
	recs := records(t, defenderSamples[1], 0)
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	var got []alert.Alert
	if err := NormalizeAll("auto", recs[0].Data, func(a alert.Alert) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Entities.Email == nil {
		t.Fatalf("got %+v, want one alert with an email", got)
	}
	e := got[0].Entities.Email
	if e.From != "user.abc@mail.contoso.co.in" || e.Subject != "[EXTERNAL] Attention" || strings.Join(e.To, ",") != "test.User4@contoso.com" {
		t.Errorf("email = %+v", e)
	}
	if got[0].Severity != "info" || got[0].ID != "faf8edc936-85f8-a603-b800-08d8525cf099" {
		t.Errorf("severity %s id %s", got[0].Severity, got[0].ID)
	}
}

func FuzzDefender(f *testing.F) { sentinelFuzz(f, "defender", defenderSamples) }

func BenchmarkNormalizeDefender(b *testing.B) { sentinelBench(b, "defender", defenderSamples) }
