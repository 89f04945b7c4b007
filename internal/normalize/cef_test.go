package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
)

// cefSamples are the CEF sample files and their golden names.
var cefSamples = []goldenCase{
	{"cef_withsecure_elements", "samples/cef_leef/azure-sentinel_withsecure_elements_cef_subset.txt", 0},
	{"cef_radiflow_isid_syslog", "samples/cef_leef/azure-sentinel_radiflow_isid_syslog_cef_subset.txt", 0},
}

// syslogGolden normalises every record of each case with detection and
// compares the entries with testdata/golden/<name>.golden, as TestGolden
// does for JSON formats; a text record's Raw must be its line as a JSON
// string.
func syslogGolden(t *testing.T, cases []goldenCase) {
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var entries []goldenEntry
			for _, r := range records(t, tc.file, tc.max) {
				e := goldenEntry{Line: r.Line}
				a, err := Normalize("auto", r.Data)
				if err != nil {
					e.Error = err.Error()
				} else {
					var line string
					if err := json.Unmarshal(a.Raw, &line); err != nil || line != string(r.Data) {
						t.Errorf("line %d: Raw is not the line as a JSON string: %v", r.Line, err)
					}
					if !a.Time.IsZero() && a.Time.Location().String() != "UTC" {
						t.Errorf("line %d: time %v not in UTC", r.Line, a.Time)
					}
					a.Raw = nil
					e.Format, e.Alert = a.Source, &a
				}
				entries = append(entries, e)
			}
			got, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".golden")
			if update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; diff it after UPDATE_GOLDEN=1", path)
			}
		})
	}
}

func TestGoldenCEF(t *testing.T) { syslogGolden(t, cefSamples) }

var leefSamples = []goldenCase{
	{"leef_trendmicro_deepsecurity", "samples/cef_leef/ibm_qradar_docs_trendmicro_deepsecurity_leef2.0.txt", 0},
	{"leef_panos_traffic", "samples/cef_leef/rsyslog_tests_paloalto_panos_leef1.0_traffic.txt", 0},
}

func TestGoldenLEEF(t *testing.T) { syslogGolden(t, leefSamples) }

func init() {
	for _, c := range cefSamples {
		fuzzSeeds["cef"] = append(fuzzSeeds["cef"], c.file)
	}
	for _, c := range leefSamples {
		fuzzSeeds["leef"] = append(fuzzSeeds["leef"], c.file)
	}
}

// TestCEF checks the header and extension grammar and the mapping on lines
// the samples do not cover.
func TestCEF(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // summary(), see formats_test.go
		check   func(t *testing.T, a alert.Alert)
		wantErr string
	}{
		{
			name: "escaped pipe and backslash in header, escaped equals and newline in extension",
			raw:  `CEF:0|Ven\|dor|Prod\\uct|1.0|sig\|1|Name \| with pipe|7|msg=a\=b\nc\\d dst=2001:db8::1 dpt=443 rt=1700000000123 eventId=77 deviceExternalId=dev9`,
			want: "source=cef;id=dev9:77;time=2023-11-14T22:13:20.123Z;severity=high;dst=2001:db8::1:443;tags=vendor:Ven|dor,product:Prod\\uct",
			check: func(t *testing.T, a alert.Alert) {
				if a.Title != "Name | with pipe" || a.Rule.ID != "sig|1" || a.Description != "a=b\nc\\d" {
					t.Errorf("title %q rule %q description %q", a.Title, a.Rule.ID, a.Description)
				}
			},
		},
		{
			name: "RFC 5424 header, ArcSight rt, users, file, url, custom strings with a technique label",
			raw:  `<134>1 2024-05-01T10:00:00.5+02:00 fw01 ids 42 ALERT - CEF:1|Acme|NGFW|9|100|Port scan|Very-High|rt=May 01 2024 08:00:01 src=192.0.2.1 spt=5555 shost=attacker.example dst=198.51.100.2 dhost=web01 suser=CORP\alice duser=bob dntdom=EXAMPLE fname=x.ps1 filePath=C:\\tmp\\x.ps1 fileHash=D41D8CD98F00B204E9800998ECF8427E request=http://evil.example/a?b=c act=blocked cat=/Attack/Recon cs1Label=MITRE Technique cs1=T1046, T1059.001 cs2=no label here dproc=powershell.exe dpid=4242`,
			want: "source=cef;time=2024-05-01T08:00:01Z;severity=critical;host=fw01/;src=192.0.2.1:5555(attacker.example);dst=198.51.100.2:0(web01);users=alice,bob;domains=attacker.example;file=C:\\tmp\\x.ps1x.ps1|d41d8cd98f00b204e9800998ecf8427e;techniques=T1046,T1059.001;tags=vendor:Acme,product:NGFW,action:blocked",
			check: func(t *testing.T, a alert.Alert) {
				if a.Entities.Users[0].Domain != "CORP" || a.Entities.Users[1].Domain != "EXAMPLE" {
					t.Errorf("user domains %+v", a.Entities.Users)
				}
				if len(a.Entities.URLs) != 1 || a.Entities.URLs[0] != "http://evil.example/a?b=c" {
					t.Errorf("urls %v", a.Entities.URLs)
				}
				if a.Rule.Category != "/Attack/Recon" || len(a.Entities.Processes) != 1 || a.Entities.Processes[0].PID != 4242 {
					t.Errorf("category %q processes %+v", a.Rule.Category, a.Entities.Processes)
				}
				want := []string{"MITRE Technique: T1046, T1059.001", "cs2: no label here"}
				if strings.Join(a.Text, "|") != strings.Join(want, "|") {
					t.Errorf("text %q", a.Text)
				}
			},
		},
		{
			name: "RFC 5424 time used when the payload has none",
			raw:  `<134>1 2024-05-01T10:00:00.5+02:00 fw01 ids - - [x@1 a="b"] CEF:0|A|B|1|2|N|Low|src=192.0.2.1`,
			want: "source=cef;time=2024-05-01T08:00:00.5Z;severity=low;host=fw01/;src=192.0.2.1:0;tags=vendor:A,product:B",
		},
		{
			name: "RFC 3164 header without PRI, syslog octal escape, quoted category",
			raw:  `May 18 16:02:00 sensor app[1] CEF:0|radiflow|isid|7|2|New Link|Medium|cat='Link' src=172.16.2.41#012 dvc=10.0.0.9 dvchost=isid01`,
			want: "source=cef;time=0001-01-01T00:00:00Z;severity=medium;host=isid01/10.0.0.9;src=172.16.2.41:0;tags=vendor:radiflow,product:isid",
			check: func(t *testing.T, a alert.Alert) {
				if a.Rule.Category != "Link" {
					t.Errorf("category %q", a.Rule.Category)
				}
			},
		},
		{name: "severity 0 is low", raw: `CEF:0|A|B|1|2|N|0|`, want: "source=cef;time=0001-01-01T00:00:00Z;severity=low;tags=vendor:A,product:B"},
		{name: "severity Unknown is info", raw: `CEF:0|A|B|1|2|N|Unknown|`, want: "source=cef;time=0001-01-01T00:00:00Z;severity=info;tags=vendor:A,product:B"},
		{name: "severity out of range", raw: `CEF:0|A|B|1|2|N|11|`, wantErr: "outside 0-10"},
		{name: "severity word", raw: `CEF:0|A|B|1|2|N|Severe|`, wantErr: "neither 0-10"},
		{name: "truncated header", raw: `CEF:0|A|B|1|2|N`, wantErr: "header has 5 of 7 fields"},
		{name: "bad rt", raw: `CEF:0|A|B|1|2|N|3|rt=yesterday`, wantErr: "rt: unrecognised time"},
		{name: "no name or signature", raw: `CEF:0|A|B|1| | |3|`, wantErr: "neither Name nor Signature ID"},
		{name: "junk before the marker", raw: `hello there CEF:0|A|B|1|2|N|3|`, wantErr: "syslog header"},
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
			if tt.check != nil {
				tt.check(t, a)
			}
		})
	}
}

// TestCEFExtension checks the key=value splitter on its own.
func TestCEFExtension(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"a=1 b=2", "a=1;b=2"},
		{"msg=hello world src=1.2.3.4", "msg=hello world;src=1.2.3.4"},
		{"msg=x \\= y=z k=v", "msg=x =;y=z;k=v"},
		{"msg=a\\=b c k=v", "msg=a=b c;k=v"},
		{"msg=a=b c", "msg=a=b c"},
		{"path=C:\\\\dir\\\\f.exe  n=1", "path=C:\\dir\\f.exe;n=1"},
		{"  junk a=1", "a=1"},
		{"", ""},
		{"details_x.y=1 cs1Label=My Label", "details_x.y=1;cs1Label=My Label"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var parts []string
			for _, p := range cefExtension(tt.in, nil) {
				parts = append(parts, p.key+"="+p.val)
			}
			if got := strings.Join(parts, ";"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzCEF(f *testing.F) {
	f.Add([]byte(`<13>1 - - - - - - CEF:0|a\|b|c|d|e|f|Very-High|k=v\= w=x`))
	f.Add([]byte(`Jan  2 03:04:05 h t: CEF:12|||||n|5|rt=Jan 02 2006 15:04:05.000 UTC`))
	fuzzFormat(f, "cef")
}

func FuzzLEEF(f *testing.F) {
	f.Add([]byte("LEEF:2.0|a|b|1|e|x5E|k=v^devTime=2024-01-02|devTimeFormat=yyyy-MM-dd"))
	f.Add([]byte("<1>1 2024-01-01T00:00:00Z h a - - - LEEF:1.0|a|b|1|e|sev=3\tsrc=::1"))
	fuzzFormat(f, "leef")
}

func BenchmarkNormalizeCEF(b *testing.B) {
	var recs []ingest.Record
	for _, c := range cefSamples {
		recs = append(recs, records(b, c.file, 0)...)
	}
	benchRecords(b, "cef", "auto", recs)
}

func BenchmarkNormalizeLEEF(b *testing.B) {
	var recs []ingest.Record
	for _, c := range leefSamples {
		recs = append(recs, records(b, c.file, 0)...)
	}
	benchRecords(b, "leef", "auto", recs)
}
