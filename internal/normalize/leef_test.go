package normalize

import (
	"strings"
	"testing"
)

// TestLEEF checks delimiters, times and mappings the samples do not cover.
func TestLEEF(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string // summary(), see formats_test.go
		title   string
		wantErr string
	}{
		{
			name:  "2.0 with caret delimiter and a devTimeFormat",
			raw:   "LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=9^srcPort=1^dstPort=22^usrName=CORP\\joe^devTime=2024-01-02 03:04:05.250 +0200^devTimeFormat=yyyy-MM-dd HH:mm:ss.SSS Z^name=SSH brute force",
			want:  "source=leef;time=2024-01-02T01:04:05.25Z;severity=critical;src=10.0.1.8:1;dst=10.0.0.5:22;users=joe;tags=vendor:Lancope,product:StealthWatch",
			title: "SSH brute force",
		},
		{
			name:  "2.0 with hex delimiter",
			raw:   "LEEF:2.0|V|P|1|7|x7C|sev=2|src=192.0.2.1|identHostName=ws1|identSrc=192.0.2.1",
			want:  "source=leef;time=0001-01-01T00:00:00Z;severity=low;host=ws1/192.0.2.1;src=192.0.2.1:0;tags=vendor:V,product:P",
			title: "P 7",
		},
		{
			name:  "2.0 with 0x hex delimiter and an empty value",
			raw:   "LEEF:2.0|V|P|1|7|0x5e|cat=Malware^sev=^url=http://bad.example/x",
			want:  "source=leef;time=0001-01-01T00:00:00Z;severity=info;tags=vendor:V,product:P",
			title: "Malware 7",
		},
		{
			name:  "1.0 tab separated, value holding the pipe, epoch devTime",
			raw:   "LEEF:1.0|V|P|1|login|devTime=1700000000000\tsev=5\tmsg=a|b\tsrc=192.0.2.9",
			want:  "source=leef;time=2023-11-14T22:13:20Z;severity=medium;src=192.0.2.9:0;tags=vendor:V,product:P",
			title: "P login",
		},
		{
			name:  "1.0 with pipes between attributes keeps a value with '|' in it",
			raw:   "<14>Sep 17 13:45:35 fw LEEF:1.0|V|P|1|deny|cat=T|msg=x|y|sev=4",
			want:  "source=leef;time=0001-01-01T00:00:00Z;severity=medium;host=fw/;tags=vendor:V,product:P",
			title: "T deny",
		},
		{name: "sev out of range", raw: "LEEF:1.0|V|P|1|e|sev=11", wantErr: "sev \"11\""},
		{name: "bad version", raw: "LEEF:3.0|V|P|1|e|sev=1", wantErr: "not 1.0 or 2.0"},
		{name: "short header", raw: "LEEF:1.0|V|P|1", wantErr: "header has 4 of 6"},
		{name: "bad devTime", raw: "LEEF:1.0|V|P|1|e|devTime=soon", wantErr: "devTime"},
		{name: "unknown devTimeFormat letter", raw: "LEEF:1.0|V|P|1|e|devTime=1\tdevTimeFormat=QQ", wantErr: "devTimeFormat"},
		{name: "bad hex delimiter", raw: "LEEF:2.0|V|P|1|e|xZZ|a=b", wantErr: "delimiter"},
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
			if a.Title != tt.title {
				t.Errorf("title %q, want %q", a.Title, tt.title)
			}
		})
	}
}
