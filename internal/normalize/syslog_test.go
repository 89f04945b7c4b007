package normalize

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestSyslogParse(t *testing.T) {
	tests := []struct {
		prefix  string
		want    syslogHeader
		wantErr string
	}{
		{"", syslogHeader{}, ""},
		{"<14>Sep 17 13:45:35 firewall.domain.local ", syslogHeader{present: true, stamp: "Sep 17 13:45:35", host: "firewall.domain.local"}, ""},
		{"May 18 16:02:00 isid isid[1] ", syslogHeader{present: true, stamp: "May 18 16:02:00", host: "isid", app: "isid", pid: "1"}, ""},
		{"<34>Oct  1 22:14:15 mymachine su: ", syslogHeader{present: true, stamp: "Oct  1 22:14:15", host: "mymachine", app: "su"}, ""},
		{"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] ",
			syslogHeader{present: true, time: time.Date(2003, 10, 11, 22, 14, 15, 3e6, time.UTC), stamp: "2003-10-11T22:14:15.003Z", host: "mymachine.example.com", app: "evntslog"}, ""},
		{"<165>1 - - - - - - ", syslogHeader{present: true}, ""},
		{"<1234>Oct 11 22:14:15 h ", syslogHeader{}, "bad priority"},
		{"<1>1 yesterday h a p m - ", syslogHeader{}, "RFC 5424 timestamp"},
		{"Foo 11 22:14:15 h ", syslogHeader{}, "RFC 3164 timestamp"},
		{"Oct 11 22:14:15 h a b ", syslogHeader{}, "want host and optional tag"},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			got, err := syslogParse(tt.prefix)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSyslogMarker(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"CEF:0|a", "CEF"},
		{"<1>Oct 11 22:14:15 h LEEF:1.0|a", "LEEF"},
		{"xCEF:0| LEEF:2.0|", "LEEF"},
		{"LEEF:1.0|a|b|1|e|msg=CEF:0|", "LEEF"},
		{"nothing here", ""},
	}
	for _, tt := range tests {
		if got, _ := syslogMarker([]byte(tt.in)); got != tt.want {
			t.Errorf("syslogMarker(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSyslogUnescape(t *testing.T) {
	for in, want := range map[string]string{
		"00:30:DE#012": "00:30:DE\n", "#011a#015": "\ta\r", "#0": "#0", "#099x": "#099x", "#041": "#041", "plain": "plain",
	} {
		if got := syslogUnescape(in); got != want {
			t.Errorf("syslogUnescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSyslogTimes(t *testing.T) {
	tests := []struct {
		in, format string
		want       string // RFC 3339, or "error"
	}{
		{"Sep 17 2025 11:45:34 GMT", "", "2025-09-17T11:45:34Z"},
		{"May 01 2024 08:00:01.250", "", "2024-05-01T08:00:01.25Z"},
		{"May 01 2024 08:00:01 +0200", "", "2024-05-01T06:00:01Z"},
		{"1661507240000", "", "2022-08-26T09:47:20Z"},
		{"2024-05-01T08:00:01Z", "", "2024-05-01T08:00:01Z"},
		{"Tomorrow", "", "error"},
		{"17/09/2025 01:02:03 PM", "dd/MM/yyyy hh:mm:ss a", "2025-09-17T13:02:03Z"},
		{"2025-09-17'T'x", "yyyy-MM-dd'T'", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got time.Time
			var err error
			if tt.format == "" {
				got, err = syslogVendorTime(tt.in)
			} else {
				layout, ok := syslogJavaLayout(tt.format)
				if !ok {
					t.Fatalf("layout %q not understood", tt.format)
				}
				got, err = time.Parse(layout, tt.in)
				got = got.UTC()
			}
			if tt.want == "error" {
				if err == nil {
					t.Errorf("parsed %q as %v, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got.Format(time.RFC3339Nano) != tt.want {
				t.Errorf("got %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// TestTextRegistry checks how the registry routes text records: only text
// formats see them, JSON formats never do, and Raw stays valid JSON.
func TestTextRegistry(t *testing.T) {
	cefLine := `CEF:0|A|B|1|2|N|5|src=192.0.2.1`
	tests := []struct {
		name    string
		raw     string
		format  string
		wantErr error
	}{
		{"cef line", cefLine, "cef", nil},
		{"leef line", "LEEF:1.0|A|B|1|2|sev=1", "leef", nil},
		{"leading space", "  " + cefLine, "cef", nil},
		{"unknown text", "hello world", "", ErrUnknownFormat},
		{"json array is not an object", `[1]`, "", ErrUnknownFormat},
	}
	// Whether another JSON format claims this is its business; cef must not.
	if f, _ := Detect([]byte(`{"message":"` + cefLine + `"}`)); f != nil && f.Name() == "cef" {
		t.Error("a JSON record holding a CEF line was detected as cef")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Detect([]byte(tt.raw))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Detect = %v, %v; want %v", f, err, tt.wantErr)
				}
				return
			}
			if err != nil || f.Name() != tt.format {
				t.Fatalf("Detect = %v, %v; want %s", f, err, tt.format)
			}
			var alerts []alert.Alert
			if err := NormalizeAll("auto", []byte(tt.raw), func(a alert.Alert) error {
				alerts = append(alerts, a)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			a, err := Normalize(tt.format, []byte(tt.raw))
			if err != nil || len(alerts) != 1 || alerts[0].ID != a.ID {
				t.Fatalf("Normalize and NormalizeAll disagree: %v, %d alerts", err, len(alerts))
			}
			if want, _ := json.Marshal(tt.raw); string(a.Raw) != string(want) || string(alerts[0].Raw) != string(want) {
				t.Errorf("Raw = %s, want the line as a JSON string", a.Raw)
			}
		})
	}
}

// TestTextDetectAmbiguous registers two text formats that claim the same
// lines for the duration of the test, and restores the registry after.
func TestTextDetectAmbiguous(t *testing.T) {
	savedFormats, savedNames := formats, names
	t.Cleanup(func() { formats, names = savedFormats, savedNames })
	formats = map[string]Format{}
	for k, v := range savedFormats {
		formats[k] = v
	}
	names = append([]string(nil), savedNames...)
	Register(syslogFake{"zz-a", "ZZ"})
	Register(syslogFake{"zz-b", "ZZ"})
	Register(syslogFake{"zz-c", "ZZC"})
	tests := []struct {
		line    string
		want    string
		wantErr error
	}{
		{"ZZC line", "", ErrAmbiguousFormat}, // ZZ and ZZC both match
		{"ZZ line", "", ErrAmbiguousFormat},
		{"CEF:0|A|B|1|2|N|5|", "cef", nil},
		{"YY line", "", ErrUnknownFormat},
	}
	for _, tt := range tests {
		f, err := Detect([]byte(tt.line))
		switch {
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("%s: Detect = %v, %v; want %v", tt.line, f, err, tt.wantErr)
		case tt.wantErr == nil && (err != nil || f.Name() != tt.want):
			t.Errorf("%s: Detect = %v, %v; want %s", tt.line, f, err, tt.want)
		}
	}
	if f, err := Detect([]byte(`{"ZZ":1}`)); f != nil && strings.HasPrefix(f.Name(), "zz-") || err != nil && strings.Contains(err.Error(), "zz-") {
		t.Errorf("a JSON record reached a text format: %v, %v", f, err)
	}
}

// syslogFake is a text format claiming lines that start with prefix.
type syslogFake struct{ name, prefix string }

func (s syslogFake) Name() string               { return s.name }
func (syslogFake) Detect(Fields, []byte) bool   { return true }
func (s syslogFake) DetectText(raw []byte) bool { return strings.HasPrefix(string(raw), s.prefix) }
func (syslogFake) Normalize([]byte) (alert.Alert, error) {
	return alert.Alert{}, errors.New("fake")
}
