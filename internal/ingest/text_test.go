package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// readKinds reads in and returns "line:index:kind:data" per record.
func readKinds(t testing.TB, in []byte) got {
	t.Helper()
	var g got
	err := Read(context.Background(), bytes.NewReader(in), "in", func(r Record) error {
		g.recs = append(g.recs, fmt.Sprintf("%d:%d:%s:%s", r.Line, r.Index, r.Kind, r.Data))
		return nil
	}, func(e RecordError) {
		g.errs = append(g.errs, fmt.Sprintf("%d:%v", e.Line, e.Err))
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return g
}

func TestReadTextAndCSV(t *testing.T) {
	const cef = "CEF:0|Acme|IDS|1.0|100|Port scan|5|src=192.0.2.1 dst=198.51.100.2"
	const syslogCEF = "<34>Oct 11 22:14:15 mymachine ids: " + cef
	const leef = "LEEF:2.0|Acme|FW|1.0|7|^|src=192.0.2.1^dst=198.51.100.2"
	const secrl = "TenantId❖Title❖Entities\n" +
		"t1❖\"Mail \"\"x\"\"\"❖\"[{\"\"Type\"\":\"\"ip\"\"}]\"\n" +
		"t2❖❖\n"
	tests := []struct {
		name string
		in   []byte
		recs []string
		errs []string
	}{
		{"cef lines", []byte(cef + "\n" + cef + "\n"),
			[]string{"1:0:text:" + cef, "2:1:text:" + cef}, nil},
		{"cef with syslog header, crlf, blank lines", []byte("\r\n" + syslogCEF + "\r\n\r\n  \n" + cef),
			[]string{"2:0:text:" + syslogCEF, "5:1:text:" + cef}, nil},
		{"cef after bom", []byte("\xef\xbb\xbf" + cef + "\n"),
			[]string{"1:0:text:" + cef}, nil},
		{"leef 2.0 with caret delimiter", []byte(leef),
			[]string{"1:0:text:" + leef}, nil},
		{"text line that would be json later", []byte("May 18 16:02:00 host app[1] started\n{\"a\":1}\n"),
			[]string{"1:0:text:May 18 16:02:00 host app[1] started", `2:1:text:{"a":1}`}, nil},
		{"gzip cef", gz(syslogCEF + "\n" + cef + "\n"),
			[]string{"1:0:text:" + syslogCEF, "2:1:text:" + cef}, nil},
		{"csv comma", []byte("a,b,c\n1,2,3\n\"x,y\",,\"q\"\"\"\n"),
			[]string{`2:0:csv:{"a":"1","b":"2","c":"3"}`, `3:1:csv:{"a":"x,y","b":"","c":"q\""}`}, nil},
		{"csv semicolon and html-like text", []byte("name;url\nx;\"<a href=\"\"u\"\">&</a>\"\n"),
			[]string{`2:0:csv:{"name":"x","url":"<a href=\"u\">&</a>"}`}, nil},
		{"csv tab", []byte("a\tb\n1\t2\n"),
			[]string{`2:0:csv:{"a":"1","b":"2"}`}, nil},
		{"csv secrl delimiter with json cell", []byte(secrl),
			[]string{`2:0:csv:{"TenantId":"t1","Title":"Mail \"x\"","Entities":"[{\"Type\":\"ip\"}]"}`,
				`3:1:csv:{"TenantId":"t2","Title":"","Entities":""}`}, nil},
		{"csv quoted multi-line cell keeps start line", []byte("a,b\n1,\"two\nlines\"\n3,4\n"),
			[]string{`2:0:csv:{"a":"1","b":"two\nlines"}`, `4:1:csv:{"a":"3","b":"4"}`}, nil},
		{"csv crlf", []byte("a,b\r\n1,\"x\r\ny\"\r\n3,4\r\n"),
			[]string{`2:0:csv:{"a":"1","b":"x\ny"}`, `4:1:csv:{"a":"3","b":"4"}`}, nil},
		{"csv bad row is reported, the rest goes on", []byte("a,b\n1,2\n1,2,3\n4,5\n"),
			[]string{`2:0:csv:{"a":"1","b":"2"}`, `4:2:csv:{"a":"4","b":"5"}`},
			[]string{"3:invalid CSV row: 3 fields, header has 2"}},
		{"csv bare quote", []byte("a,b\n1,x\"y\n4,5\n"),
			[]string{`3:1:csv:{"a":"4","b":"5"}`},
			[]string{`2:invalid CSV row: bare " in non-quoted-field`}},
		{"gzip csv with bom", gz("\xef\xbb\xbfa❖b\n1❖2\n"),
			[]string{`2:0:csv:{"a":"1","b":"2"}`}, nil},
		{"duplicate names are no header", []byte("a,a\n1,2\n"),
			[]string{"1:0:text:a,a", "2:1:text:1,2"}, nil},
		{"prose with a comma whose next line disagrees", []byte("hello, world\nsecond line\n"),
			[]string{"1:0:text:hello, world", "2:1:text:second line"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := readKinds(t, tt.in)
			if !equal(g.recs, tt.recs) {
				t.Errorf("records:\n got %q\nwant %q", g.recs, tt.recs)
			}
			if !equal(g.errs, tt.errs) {
				t.Errorf("errors:\n got %q\nwant %q", g.errs, tt.errs)
			}
			for _, r := range g.recs {
				if strings.Contains(r, ":csv:") && !json.Valid([]byte(r[strings.Index(r, ":csv:")+5:])) {
					t.Errorf("csv record is not valid JSON: %s", r)
				}
			}
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		in    string
		atEOF bool
		want  Kind
	}{
		{"", true, KindJSON},
		{"\n  [", true, KindJSON},
		{"\xef\xbb\xbf{", true, KindJSON},
		{"<14>Sep 17 13:45:35 fw LEEF:1.0|P|Q|1|x|a=b", true, KindText},
		{"CEF:0|a,b,c|x|1|2|n|3|", true, KindText},
		{"a,b\n1,2\n", true, KindCSV},
		{"a,b\n1,2,3\n", true, KindText},
		{"a;b;c\n1;2;3\n1", false, KindCSV},
		{"just one column\n", true, KindText},
		{"a,,b\n", true, KindText},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := Sniff([]byte(tt.in), tt.atEOF); got != tt.want {
				t.Errorf("Sniff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadTextTooLarge(t *testing.T) {
	big := strings.Repeat("x", MaxRecordSize+1)
	g := readKinds(t, []byte("CEF:0|a\n"+big+"\nCEF:1|b\n"))
	want := []string{"1:0:text:CEF:0|a", "3:2:text:CEF:1|b"}
	if !equal(g.recs, want) || !equal(g.errs, []string{"2:" + ErrTooLarge.Error()}) {
		t.Errorf("records %q errors %q", g.recs, g.errs)
	}
	huge := strings.Repeat("x", MaxRecordSize+2*sniffSize)
	err := Read(context.Background(), strings.NewReader("a,b\n1,\""+huge), "in", func(Record) error { return nil }, nil)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("unclosed CSV quote over the limit: err = %v, want ErrTooLarge", err)
	}
}

func TestReadSharedTextAndCSV(t *testing.T) {
	tests := []struct {
		file string
		kind Kind
		want int
		cols int
	}{
		{"samples/sentinel_defender/secrl_SecurityAlert_sample.csv", KindCSV, 15, 36},
		{"samples/sentinel_defender/secrl_SecurityIncident_all8.csv", KindCSV, 8, 31},
		{"samples/email_phishing/secrl_SecurityAlert_MDO_email_alerts.csv", KindCSV, 20, 36},
		{"samples/cef_leef/azure-sentinel_radiflow_isid_syslog_cef_subset.txt", KindText, 6, 0},
		{"samples/cef_leef/azure-sentinel_withsecure_elements_cef_subset.txt", KindText, 8, 0},
		{"samples/cef_leef/ibm_qradar_docs_trendmicro_deepsecurity_leef2.0.txt", KindText, 1, 0},
		{"samples/cef_leef/rsyslog_tests_paloalto_panos_leef1.0_traffic.txt", KindText, 3, 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			f, err := Open(sharedFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			n := 0
			err = Read(context.Background(), f, tt.file, func(r Record) error {
				n++
				if r.Kind != tt.kind {
					t.Errorf("line %d: kind %v, want %v", r.Line, r.Kind, tt.kind)
				}
				if tt.cols > 0 {
					var m map[string]string
					if err := json.Unmarshal(r.Data, &m); err != nil || len(m) != tt.cols {
						t.Errorf("line %d: %d columns, err %v", r.Line, len(m), err)
					}
				} else if !bytes.Contains(r.Data, []byte("EF:")) || bytes.ContainsAny(r.Data, "\r\n") {
					t.Errorf("line %d: not one CEF/LEEF line: %.60q", r.Line, r.Data)
				}
				return nil
			}, func(e RecordError) { t.Errorf("unexpected record error: %v", e) })
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("read %d records, want %d", n, tt.want)
			}
		})
	}
}
