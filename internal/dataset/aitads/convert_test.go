package aitads

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
)

const csvHeader = "time,name,ip,host,short,time_label,event_label\n"

func TestConvertRow(t *testing.T) {
	const tail = `,"manager":{"name":"wazuh-manager"},"id":"t-1"`
	const loc = `,"location":"ait-ads/t"}` + "\n"
	tests := []struct {
		name, row, want, label string
		unmapped               bool
	}{
		{
			name: "wazuh web 400 true positive",
			row:  "1642723347,Wazuh: Web server 400 error code.,10.143.2.4,intranet_server,W-Acc-400,dirb,dirb",
			want: `{"timestamp":"2022-01-21T00:02:27.000000Z","rule":{"level":5,"description":"Web server 400 error code.","id":"31101",` +
				`"groups":["web","accesslog","attack"],"pci_dss":["6.5","11.4"],"gdpr":["IV_35.7.d"],"nist_800_53":["SA.11","SI.4"],` +
				`"tsc":["CC6.6","CC7.1","CC8.1","CC6.1","CC6.8","CC7.2","CC7.3"]},"agent":{"name":"intranet_server","ip":"10.143.2.4"}` + tail + loc,
			label: "t-1,true_positive\n",
		},
		{
			name: "suricata signature",
			row:  "1642723348,Suricata: Alert - ET INFO Observed DNS Query to .biz TLD,192.168.131.109,internal_share,S-Dns-Qry3,false_positive,-",
			want: `{"timestamp":"2022-01-21T00:02:28.000000Z","rule":{"level":3,"description":"Suricata: Alert - ET INFO Observed DNS Query to .biz TLD",` +
				`"id":"86601","groups":["ids","suricata"]},"agent":{"name":"internal_share","ip":"192.168.131.109"}` + tail +
				`,"decoder":{"name":"json"},"data":{"event_type":"alert","alert":{"signature":"ET INFO Observed DNS Query to .biz TLD"}}` + loc,
			label: "t-1,false_positive\n",
		},
		{
			name: "wazuh rule with mitre, decoder and no compliance",
			row:  "1642723347,Wazuh: First time user executed sudo.,10.143.2.4,intranet_server,W-Aut-Sud,privilege_escalation,privilege_escalation",
			want: `{"timestamp":"2022-01-21T00:02:27.000000Z","rule":{"level":4,"description":"First time user executed sudo.","id":"5403",` +
				`"mitre":{"id":["T1169"]},"groups":["syslog","sudo"]},"agent":{"name":"intranet_server","ip":"10.143.2.4"}` + tail +
				`,"decoder":{"name":"sudo"}` + loc,
			label: "t-1,true_positive\n",
		},
		{
			name: "aminer detector",
			row:  "1642723349,AMiner: New event type.,10.143.0.35,monitoring,A-All-Evt,false_positive,-",
			want: `{"timestamp":"2022-01-21T00:02:29.000000Z","rule":{"level":5,"description":"AMiner: New event type.","id":"aminer:A-All-Evt",` +
				`"groups":["aminer","all_logs"]},"agent":{"name":"monitoring","ip":"10.143.0.35"}` + tail + loc,
			label: "t-1,false_positive\n",
		},
		{
			name: "unknown aminer detector",
			row:  "1642723349,AMiner: Something odd.,10.143.0.35,monitoring,A-Xyz,false_positive,-",
			want: `{"timestamp":"2022-01-21T00:02:29.000000Z","rule":{"level":5,"description":"AMiner: Something odd.","id":"aminer",` +
				`"groups":["aminer"]},"agent":{"name":"monitoring","ip":"10.143.0.35"}` + tail + loc,
			label:    "t-1,false_positive\n",
			unmapped: true,
		},
		{
			name: "unknown wazuh rule",
			row:  "1642723350.25,Wazuh: Something new,1.2.3.4,x,W-X,false_positive,-",
			want: `{"timestamp":"2022-01-21T00:02:30.250000Z","rule":{"level":3,"description":"Something new","id":"unmapped",` +
				`"groups":["ait_ads_unmapped"]},"agent":{"name":"x","ip":"1.2.3.4"}` + tail + loc,
			label:    "t-1,false_positive\n",
			unmapped: true,
		},
		{
			name: "unknown producer, quoting and non-ASCII",
			row:  `1642723350,"Other: a, ""b"" <c>",,höst,O,false_positive,step`,
			want: `{"timestamp":"2022-01-21T00:02:30.000000Z","rule":{"level":3,"description":"Other: a, \"b\" \u003cc\u003e","id":"unmapped",` +
				`"groups":["ait_ads_unmapped"]},"agent":{"name":"höst"}` + tail + loc,
			label:    "t-1,true_positive\n",
			unmapped: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var alerts, labels bytes.Buffer
			st, err := Convert(strings.NewReader(csvHeader+tt.row+"\n"), "t", &alerts, &labels)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			if got := alerts.String(); got != tt.want {
				t.Errorf("alert line\n got %s\nwant %s", got, tt.want)
			}
			if got, want := labels.String(), "alert_id,label\n"+tt.label; got != want {
				t.Errorf("labels = %q, want %q", got, want)
			}
			if st.Rows != 1 || st.TruePositives+st.FalsePositives != 1 {
				t.Errorf("stats = %+v, want one row", st)
			}
			if got := len(st.Unmapped) == 1; got != tt.unmapped {
				t.Errorf("unmapped = %v, want %v", st.Unmapped, tt.unmapped)
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name, scenario, input string
		want                  error
	}{
		{"empty input", "t", "", ErrMalformed},
		{"missing column", "t", "time,name,ip,host,short,time_label\n1,Wazuh: x,1.2.3.4,h,s,-\n", ErrMalformed},
		{"bad time", "t", csvHeader + "yesterday,Wazuh: x,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"negative time", "t", csvHeader + "-5,Wazuh: x,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"time past year 9999", "t", csvHeader + "253402300800,Wazuh: x,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"empty fraction", "t", csvHeader + "12.,Wazuh: x,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"empty name", "t", csvHeader + "1,,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"empty event label", "t", csvHeader + "1,Wazuh: x,1.2.3.4,h,s,-,\n", ErrMalformed},
		{"short row", "t", csvHeader + "1,Wazuh: x,1.2.3.4\n", ErrMalformed},
		{"bad quote", "t", csvHeader + "1,\"Wazuh: x,1.2.3.4,h,s,-,-\n", ErrMalformed},
		{"empty scenario", "", csvHeader, ErrScenario},
		{"scenario with comma", "a,b", csvHeader, ErrScenario},
		{"truncated gzip", "t", "\x1f\x8b\x08", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Convert(strings.NewReader(tt.input), tt.scenario, io.Discard, io.Discard)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestConvertRowNumbersAndOrder(t *testing.T) {
	in := csvHeader +
		"10,Wazuh: IDS event.,1.1.1.1,a,W-All-Evt,x,-\n" +
		"11,Wazuh: IDS event.,1.1.1.1,a,W-All-Evt,x,dirb\n" +
		"12,Wazuh: Nope,1.1.1.1,a,W-X,x,-\n" +
		"13,Wazuh: Nope,1.1.1.1,a,W-X,x,-\n"
	var alerts, labels bytes.Buffer
	st, err := Convert(strings.NewReader(in), "sc", &alerts, &labels)
	if err != nil {
		t.Fatal(err)
	}
	want := Stats{Rows: 4, TruePositives: 1, FalsePositives: 3, Unmapped: map[string]int{"Wazuh: Nope": 2}}
	if st.Rows != want.Rows || st.TruePositives != want.TruePositives || st.FalsePositives != want.FalsePositives ||
		len(st.Unmapped) != 1 || st.Unmapped["Wazuh: Nope"] != 2 {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	ids := regexp.MustCompile(`"id":"(sc-\d+)"`).FindAllStringSubmatch(alerts.String(), -1)
	var got []string
	for _, m := range ids {
		got = append(got, m[1])
	}
	if strings.Join(got, " ") != "sc-1 sc-2 sc-3 sc-4" {
		t.Errorf("alert ids = %v", got)
	}
	if want := "alert_id,label\nsc-1,false_positive\nsc-2,true_positive\nsc-3,false_positive\nsc-4,false_positive\n"; labels.String() != want {
		t.Errorf("labels = %q", labels.String())
	}
}

func TestRuleTable(t *testing.T) {
	numeric := regexp.MustCompile(`^[1-9][0-9]{2,5}$`)
	technique := regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	for desc, r := range wazuhRules {
		t.Run(r.ID, func(t *testing.T) {
			if !numeric.MatchString(r.ID) || r.Level < 0 || r.Level > 15 || r.Parent == "" {
				t.Errorf("%q: bad rule %+v", desc, r)
			}
			for _, m := range r.Mitre {
				if !technique.MatchString(m) {
					t.Errorf("%q: bad technique %q", desc, m)
				}
			}
			if strings.HasPrefix(desc, prefixWazuh) || desc != strings.TrimSpace(desc) {
				t.Errorf("description %q must be the bare Wazuh text", desc)
			}
		})
	}
	short := regexp.MustCompile(`^A-[A-Z][a-z]{2}-[A-Z][a-z]{2}[0-9]?$`)
	for desc, d := range aminerDetectors {
		if !short.MatchString(d.Short) || d.Source == "" {
			t.Errorf("AMiner %q: bad detector %+v", desc, d)
		}
	}
}

func TestParseUnix(t *testing.T) {
	tests := []struct {
		in        string
		sec, usec int64
		ok        bool
	}{
		{"0", 0, 0, true},
		{"1642723347", 1642723347, 0, true},
		{"1642723347.1", 1642723347, 100000, true},
		{"1642723347.123456789", 1642723347, 123456, true},
		{"253402300799", 253402300799, 0, true},
		{"253402300800", 0, 0, false},
		{"99999999999999999999", 0, 0, false},
		{"", 0, 0, false},
		{".5", 0, 0, false},
		{"1e9", 0, 0, false},
		{"+1", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sec, usec, err := parseUnix(tt.in)
			if (err == nil) != tt.ok || sec != tt.sec || usec != tt.usec {
				t.Errorf("parseUnix(%q) = %d, %d, %v; want %d, %d, ok=%v", tt.in, sec, usec, err, tt.sec, tt.usec, tt.ok)
			}
		})
	}
}
