package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

var googleSecopsSamples = []string{
	"samples/google_secops/elastic-integrations_google_secops_alert_v2_detections.jsonl",
}

// googleSecopsAPIFile is the test document in the raw API shape (see
// testdata/google_secops/README.md for the documentation it follows).
const googleSecopsAPIFile = "testdata/google_secops/api_detections.jsonl"

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"google_secops_elastic_alert_v2_detections", googleSecopsSamples[0], 0})
	// The golden cases name files under /work/shared; the API document is
	// in this package's testdata, reached from there.
	if rel, ok := googleSecopsAPIRel(); ok {
		goldenCases = append(goldenCases, goldenCase{"google_secops_api_detections", rel, 0})
	}
	fuzzSeeds["google_secops"] = googleSecopsSamples
}

// googleSecopsAPIRel returns the API document's path relative to the
// shared folder beside the module root.
func googleSecopsAPIRel() (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(filepath.Join(dir, "..", "shared"), filepath.Join(wd, googleSecopsAPIFile))
			return rel, err == nil
		}
		if filepath.Dir(dir) == dir {
			return "", false
		}
	}
}

func googleSecopsAPILines(t testing.TB) [][]byte {
	t.Helper()
	b, err := os.ReadFile(googleSecopsAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(b), []byte("\n"))
}

// TestGoogleSecopsAPI normalises the raw API document, list response
// included, through NormalizeAll.
func TestGoogleSecopsAPI(t *testing.T) {
	var got []alert.Alert
	for i, line := range googleSecopsAPILines(t) {
		err := NormalizeAll("auto", line, func(a alert.Alert) error {
			if i == 1 && bytes.HasPrefix(a.Raw, []byte(`{"detections"`)) {
				t.Error("list element has the envelope as Raw")
			}
			got = append(got, a)
			return nil
		})
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
	}
	want := []string{
		`source=google_secops;time=2024-05-02T08:14:59.123Z;severity=high;host=wks-042.corp.example/192.0.2.42;` +
			`src=192.0.2.42:0(wks-042.corp.example);users=alice;` +
			`file=C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exepowershell.exe|d41d8cd98f00b204e9800998ecf8427ee3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;` +
			`techniques=T1059.001;tags=rule_type:SINGLE_EVENT,alert_state:ALERTING,type:RULE_DETECTION,log_type:WINDOWS_SYSMON,udm_rule:Encoded PowerShell,tactic:TA0002`,
		`source=google_secops;time=2024-05-03T10:02:11Z;severity=critical;host=mail.sender.example/198.51.100.23;` +
			`src=198.51.100.23:0(mail.sender.example);users=bob@corp.example;tags=rule_type:SINGLE_EVENT,alert_state:ALERTING,type:RULE_DETECTION,log_type:OFFICE_365`,
		`source=google_secops;time=2024-05-03T11:20:00Z;severity=low;host=srv-db-01/192.0.2.77;` +
			`src=192.0.2.77:53211(srv-db-01);dst=203.0.113.53:53;domains=update.bad-domain.example;tags=rule_type:MULTI_EVENT,alert_state:NOT_ALERTING,type:RULE_DETECTION,log_type:BIND_DNS`,
		`source=google_secops;time=2024-05-04T00:01:00Z;severity=low;host=build-7/;users=svc_ci;` +
			`file=/tmp/xx|da39a3ee5e6b4b0d3255bfef95601890afd80709;techniques=T1105;tags=rule_type:SINGLE_EVENT,alert_state:ALERTING,type:RULE_DETECTION,udm_rule:Download to tmp`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d alerts, want %d", len(got), len(want))
	}
	ids := []string{"de_2f0c7a35-0b6e-4b1a-9a4e-5c4d1e6f7a80", "de_9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e", "de_11112222-3333-4444-5555-666677778888", "de_abcdefab-cdef-4abc-8def-abcdefabcdef"}
	for i, a := range got {
		if a.ID != ids[i] {
			t.Errorf("alert %d: id %q, want %q", i, a.ID, ids[i])
		}
		if s := summary(a); s != want[i] {
			t.Errorf("alert %d\n got %s\nwant %s", i, s, want[i])
		}
	}
	if p := got[0].Entities.Processes; len(p) != 2 || p[1].CommandLine != "powershell.exe -nop -w hidden -enc SQBFAFgA" || p[1].Parent != "explorer.exe" || p[1].PID != 7716 {
		t.Errorf("processes %+v", p)
	}
	if e := got[1].Entities.Email; e == nil || e.From != "billing@sender.example" || len(e.To) != 2 || e.Subject != "Invoice overdue" {
		t.Errorf("email %+v", e)
	}
	if got[1].Title != "Credential phishing link delivered" || got[1].SourceSeverity != "Critical" || len(got[1].Entities.URLs) != 1 {
		t.Errorf("title %q source severity %q urls %v", got[1].Title, got[1].SourceSeverity, got[1].Entities.URLs)
	}
	if got[2].SourceSeverity != "riskScore 35" || got[3].SourceSeverity != "LOW" || got[3].Entities.Processes[0].CommandLine == "" {
		t.Errorf("source severities %q %q, processes %+v", got[2].SourceSeverity, got[3].SourceSeverity, got[3].Entities.Processes)
	}
}

// TestGoogleSecops checks severity precedence and broken detections.
func TestGoogleSecops(t *testing.T) {
	det := func(inner string) string {
		return `{"id":"de_1","type":"RULE_DETECTION","detectionTime":"2024-01-01T00:00:00Z","detection":[{"ruleName":"r","ruleId":"ru_1"` + inner + `}]}`
	}
	tests := []struct {
		name     string
		raw      string
		severity alert.Severity
		source   string
		wantErr  string
	}{
		{"detection severity wins", det(`,"severity":"INFORMATIONAL","riskScore":99,"ruleLabels":[{"key":"severity","value":"High"}]`), alert.SeverityInfo, "INFORMATIONAL", ""},
		{"rule label next", det(`,"riskScore":99,"ruleLabels":[{"key":"severity","value":"Medium"}]`), alert.SeverityMedium, "Medium", ""},
		{"risk score band", det(`,"riskScore":90`), alert.SeverityCritical, "riskScore 90", ""},
		{"risk score low band", det(`,"riskScore":19`), alert.SeverityInfo, "riskScore 19", ""},
		{"nothing: low", det(``), alert.SeverityLow, "", ""},
		{"no detection list", `{"id":"de_1","type":"RULE_DETECTION","detection":[]}`, "", "", "without detection[]"},
		{"no rule", det(`,"ruleName":"","ruleId":""`), "", "", "without ruleName"},
		{"bad time", strings.Replace(det(``), "2024-01-01T00:00:00Z", "soon", 1), "", "", "detectionTime"},
		{"list of two needs NormalizeAll", `{"detections":[` + det(``) + `,` + det(``) + `]}`, "", "", "use NormalizeAll"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crowdstrikeCheck(t, "google_secops", tt.raw, "", tt.wantErr, func(t *testing.T, a alert.Alert) {
				if a.Severity != tt.severity || a.SourceSeverity != tt.source {
					t.Errorf("severity %s (%q), want %s (%q)", a.Severity, a.SourceSeverity, tt.severity, tt.source)
				}
			})
		})
	}
}

func FuzzGoogleSecops(f *testing.F) {
	for _, line := range googleSecopsAPILines(f) {
		f.Add(line)
	}
	fuzzFormat(f, "google_secops")
}

func BenchmarkNormalizeGoogleSecops(b *testing.B) {
	crowdstrikeBench(b, "google_secops", googleSecopsSamples)
}
