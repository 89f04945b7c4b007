package normalize

import (
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
)

var crowdstrikeSamples = []string{
	"samples/crowdstrike_sentinelone/elastic-integrations_crowdstrike_falcon_stream_EppDetectionSummaryEvent.jsonl",
}

func init() {
	goldenCases = append(goldenCases,
		goldenCase{"crowdstrike_elastic_falcon_stream_epp", crowdstrikeSamples[0], 0})
	fuzzSeeds["crowdstrike"] = crowdstrikeSamples
}

// TestCrowdstrike checks shapes the sample does not hold: the classic
// DetectionSummaryEvent with its 1-5 severity and ATT&CK IDs, the EPP
// 0-100 scale without a name, and broken records.
func TestCrowdstrike(t *testing.T) {
	const classic = `{"metadata":{"customerIDString":"c1","offset":7,"eventType":"DetectionSummaryEvent","eventCreationTime":1590000000123,"version":"1.0"},` +
		`"event":{"ProcessStartTime":1589999990,"ProcessId":412,"ParentProcessId":100,"ComputerName":"FIN-LT-9","UserName":"bob","DetectId":"ldt:abc:123",` +
		`"DetectName":"Suspicious Activity","DetectDescription":"PowerShell ran an encoded command.","Severity":4,"SeverityName":"High",` +
		`"FileName":"powershell.exe","FilePath":"\\Device\\HarddiskVolume1\\Windows\\System32\\WindowsPowerShell\\v1.0","CommandLine":"powershell -enc SQBFAFgA",` +
		`"SHA256String":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","MD5String":"d41d8cd98f00b204e9800998ecf8427e","SHA1String":"0000000000000000000000000000000000000000",` +
		`"Tactic":"Execution","Technique":"PowerShell","TacticId":"TA0002","TechniqueId":"T1059.001","Objective":"Follow Through","PatternDispositionDescription":"Detection, standard detection.",` +
		`"LocalIP":"192.0.2.15","MACAddress":"00-00-5E-00-53-01","ParentImageFileName":"winword.exe","ParentCommandLine":"winword.exe /n doc.docm","GrandparentImageFileName":"explorer.exe",` +
		`"SensorId":"sensor1","FalconHostLink":"https://falcon.crowdstrike.com/activity/detections/detail/abc/123"}}`
	tests := []struct {
		name    string
		raw     string
		want    string // summary(a)
		check   func(t *testing.T, a alert.Alert)
		wantErr string
	}{
		{
			name: "classic detection summary",
			raw:  classic,
			want: "source=crowdstrike;id=ldt:abc:123;time=2020-05-20T18:40:00.123Z;severity=high;host=FIN-LT-9/192.0.2.15;users=bob;" +
				"file=\\Device\\HarddiskVolume1\\Windows\\System32\\WindowsPowerShell\\v1.0powershell.exe|d41d8cd98f00b204e9800998ecf8427ee3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;" +
				"techniques=T1059.001;tags=tactic:Execution,tactic_id:TA0002,technique:PowerShell,objective:Follow Through,disposition:Detection, standard detection.",
			check: func(t *testing.T, a alert.Alert) {
				if len(a.Entities.Processes) != 3 || a.Entities.Processes[0].CommandLine != "powershell -enc SQBFAFgA" ||
					a.Entities.Processes[0].PID != 412 || a.Entities.Processes[1].Parent != "explorer.exe" {
					t.Errorf("processes = %+v", a.Entities.Processes)
				}
				if a.Entities.Files[0].SHA1 != "" {
					t.Error("all-zero SHA1 kept")
				}
				if a.Title != "Suspicious Activity" || a.Description != "PowerShell ran an encoded command." || a.SourceSeverity != "High" {
					t.Errorf("title %q description %q source severity %q", a.Title, a.Description, a.SourceSeverity)
				}
			},
		},
		{
			name: "classic numeric severity without name",
			raw:  strings.Replace(classic, `"SeverityName":"High",`, ``, 1),
			check: func(t *testing.T, a alert.Alert) {
				if a.Severity != alert.SeverityHigh || a.SourceSeverity != "4" {
					t.Errorf("severity %s (%s), want high (4)", a.Severity, a.SourceSeverity)
				}
			},
		},
		{
			name: "epp 0-100 severity without name",
			raw:  `{"metadata":{"eventType":"EppDetectionSummaryEvent","eventCreationTime":1742584040000},"event":{"CompositeId":"c:ind:a:1","Name":"Ransomware","Severity":90,"Hostname":"h1","LocalIP":"n/a"}}`,
			want: "source=crowdstrike;id=c:ind:a:1;time=2025-03-21T19:07:20Z;severity=critical;host=h1/",
		},
		{
			name: "leading white space",
			raw:  " \t" + `{"metadata":{"eventType":"EppDetectionSummaryEvent","eventCreationTime":1742584040000},"event":{"CompositeId":"c:ind:a:2","Name":"x","Severity":10}}`,
			want: "source=crowdstrike;id=c:ind:a:2;time=2025-03-21T19:07:20Z;severity=info",
		},
		{
			name:    "another event type",
			raw:     `{"metadata":{"eventType":"AuthActivityAuditEvent","eventCreationTime":1},"event":{"DetectName":"x"}}`,
			wantErr: "not a detection summary",
		},
		{
			name:    "no event",
			raw:     `{"metadata":{"eventType":"DetectionSummaryEvent"}}`,
			wantErr: "without event",
		},
		{
			name:    "nothing to name it",
			raw:     `{"metadata":{"eventType":"DetectionSummaryEvent"},"event":{"Severity":3}}`,
			wantErr: "without DetectName",
		},
		{
			name:    "bad time",
			raw:     `{"metadata":{"eventType":"DetectionSummaryEvent","eventCreationTime":"soon"},"event":{"DetectName":"x"}}`,
			wantErr: "eventCreationTime",
		},
		{
			name:    "not JSON",
			raw:     `{"metadata":`,
			wantErr: "not valid JSON",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			crowdstrikeCheck(t, "crowdstrike", tt.raw, tt.want, tt.wantErr, tt.check)
		})
	}
}

// crowdstrikeCheck normalises raw with the named format and compares the
// summary, the error or both; the google_secops, sentinelone and
// proofpoint tables use it too.
func crowdstrikeCheck(t *testing.T, format, raw, want, wantErr string, check func(*testing.T, alert.Alert)) {
	t.Helper()
	a, err := Normalize(format, []byte(raw))
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want it to mention %q", err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if d, err := Detect([]byte(raw)); err != nil || d.Name() != format {
		t.Errorf("Detect = %v, %v; want %s", d, err, format)
	}
	if a.Time.Location().String() != "UTC" {
		t.Errorf("time %v not in UTC", a.Time)
	}
	if want != "" {
		if got := summary(a); got != want {
			t.Errorf("\n got %s\nwant %s", got, want)
		}
	}
	if check != nil {
		check(t, a)
	}
}

func FuzzCrowdstrike(f *testing.F) { fuzzFormat(f, "crowdstrike") }

func BenchmarkNormalizeCrowdstrike(b *testing.B) {
	crowdstrikeBench(b, "crowdstrike", crowdstrikeSamples)
}

// crowdstrikeBench measures NormalizeAll with detection on every record of
// the files, reporting input records and alerts per second of wall time,
// and records per second of CPU time. It uses
// NormalizeAll because envelope records may hold zero or several alerts.
func crowdstrikeBench(b *testing.B, format string, files []string) {
	var recs []ingest.Record
	for _, file := range files {
		recs = append(recs, records(b, file, 0)...)
	}
	var size int64
	for _, r := range recs {
		size += int64(len(r.Data))
	}
	b.ReportAllocs()
	b.SetBytes(size / int64(len(recs)))
	n, alerts := 0, 0
	count := func(a alert.Alert) error {
		if a.Source != format {
			b.Fatalf("alert of %s, want %s", a.Source, format)
		}
		alerts++
		return nil
	}
	cpu := crowdstrikeCPUTime()
	for b.Loop() {
		if err := NormalizeAll("auto", recs[n%len(recs)].Data, count); err != nil {
			b.Fatal(err)
		}
		n++
	}
	cpu = crowdstrikeCPUTime() - cpu
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(alerts)/b.Elapsed().Seconds(), "alerts/s")
	if cpu > 0 {
		// Records per second of CPU: the per-core rate, whatever else
		// the machine runs (run with -cpu 1 so that only this goroutine
		// and the collector use CPU).
		b.ReportMetric(float64(n)/cpu.Seconds(), "records/cpu-s")
	}
}
