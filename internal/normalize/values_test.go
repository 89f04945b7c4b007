package normalize

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2017, 11, 4, 13, 20, 24, 289881000, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2017-11-04T13:20:24.289881+0000", want},
		{"2017-11-04T09:20:24.289881-0400", want},
		{"2017-11-04T13:20:24.289881Z", want},
		{"2017-11-04T14:20:24.289881+01:00", want},
		{"2017-11-04 13:20:24.289881+00:00", want},
		{"2017-11-04T13:20:24.289881", want},
		{"2017-11-04T09:20:24.289-0400", want.Truncate(time.Millisecond)},
		{"1509801624.289881", want},
		{"1509801624", want.Truncate(time.Second)},
		{"1509801624289", want.Truncate(time.Millisecond)},
		{"1509801624289881", want},
		{"1509801624289881000", want},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("parseTime(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "none", "04/11/2017", "12ab"} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, err := parseTime(bad); !errors.Is(err, errTime) {
				t.Errorf("parseTime(%q) err = %v, want errTime", bad, err)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		in   string
		one  text
		many []string
	}{
		{`"a\"b"`, `a"b`, []string{`a"b`}},
		{`"plain"`, "plain", []string{"plain"}},
		{`42`, "42", []string{"42"}},
		{`1.5e3`, "1.5e3", []string{"1.5e3"}},
		{`true`, "true", []string{"true"}},
		{`null`, "", nil},
		{`{"x":1}`, "", nil},
		{`["", "b", 3]`, "b", []string{"b", "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var one text
			var many texts
			if err := json.Unmarshal([]byte(tt.in), &one); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.in), &many); err != nil {
				t.Fatal(err)
			}
			if one != tt.one || strings.Join(many, "|") != strings.Join(tt.many, "|") {
				t.Errorf("text %q, texts %q; want %q, %q", one, many, tt.one, tt.many)
			}
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		addr, port string
		want       alert.Endpoint
		ok         bool
	}{
		{"10.0.0.1", "80", alert.Endpoint{IP: "10.0.0.1", Port: 80}, true},
		{"10.0.0.1:8080", "", alert.Endpoint{IP: "10.0.0.1", Port: 8080}, true},
		{"[2001:db8::1]:443", "", alert.Endpoint{IP: "2001:db8::1", Port: 443}, true},
		{"2001:db8::1", "53", alert.Endpoint{IP: "2001:db8::1", Port: 53}, true},
		{"mail.example.com", "x", alert.Endpoint{Hostname: "mail.example.com"}, true},
		{"000.111.222.10", "", alert.Endpoint{}, false},
		{" ", "1", alert.Endpoint{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, ok := endpoint(tt.addr, tt.port)
			if got != tt.want || ok != tt.ok {
				t.Errorf("endpoint(%q, %q) = %+v, %v; want %+v, %v", tt.addr, tt.port, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSeverityMaps(t *testing.T) {
	tests := []struct {
		name string
		got  alert.Severity
		want alert.Severity
	}{
		{"wazuh 0", wazuhSeverity(0), alert.SeverityInfo},
		{"wazuh 3", wazuhSeverity(3), alert.SeverityInfo},
		{"wazuh 4", wazuhSeverity(4), alert.SeverityLow},
		{"wazuh 6", wazuhSeverity(6), alert.SeverityLow},
		{"wazuh 7", wazuhSeverity(7), alert.SeverityMedium},
		{"wazuh 9", wazuhSeverity(9), alert.SeverityMedium},
		{"wazuh 10", wazuhSeverity(10), alert.SeverityHigh},
		{"wazuh 12", wazuhSeverity(12), alert.SeverityHigh},
		{"wazuh 13", wazuhSeverity(13), alert.SeverityCritical},
		{"wazuh 15", wazuhSeverity(15), alert.SeverityCritical},
		{"suricata 1", suricataSeverity("1"), alert.SeverityHigh},
		{"suricata 2", suricataSeverity("2"), alert.SeverityMedium},
		{"suricata 3", suricataSeverity("3"), alert.SeverityLow},
		{"suricata 4", suricataSeverity("4"), alert.SeverityInfo},
		{"splunk critical", splunkSeverity("Critical"), alert.SeverityCritical},
		{"splunk informational", splunkSeverity("informational"), alert.SeverityInfo},
		{"splunk medium", splunkSeverity("medium"), alert.SeverityMedium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
}

func TestScanFields(t *testing.T) {
	tests := []struct {
		in   string
		want string // key=value pairs joined by ";"
		err  bool
	}{
		{`{}`, "", false},
		{` {"a":1, "b" : "x,}" ,"c":{"d":[1,"]"]},"e":null}`, `a=1;b="x,}";c={"d":[1,"]"]};e=null`, false},
		{`{"k\"q":true}`, `k"q=true`, false},
		{`{"a":"\\"}`, `a="\\"`, false},
		{`[1]`, "", true},
		{`{"a" 1}`, "", true},
		{`{"a":1`, "", true},
		{`{"a":"x`, "", true},
		{`{"a":{"b":1}`, "", true},
		{``, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			fs, err := ScanFields([]byte(tt.in), nil)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if tt.err {
				return
			}
			var parts []string
			for _, f := range fs {
				parts = append(parts, string(f.Key)+"="+string(f.Value))
			}
			if got := strings.Join(parts, ";"); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	fs, _ := ScanFields([]byte(`{"event_type":"alert","n":1}`), nil)
	if !fs.StringIs("event_type", "alert") || fs.StringIs("n", "1") || !fs.Has("n") || fs.Has("x") {
		t.Error("Fields lookups disagree with the record")
	}
}
