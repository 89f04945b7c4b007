package normalize

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// TestFormats checks mappings the sample files do not exercise. Each case
// names the format to force ("" for detection) and the fields expected.
func TestFormats(t *testing.T) {
	const eveNoTime = `{\"event_type\":\"alert\",\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"198.51.100.2\",\"alert\":{\"signature_id\":9,\"signature\":\"S\",\"severity\":1,\"metadata\":{\"mitre_technique_id\":[\"T1190\"],\"mitre_tactic_id\":[\"TA0001\"]}}}`
	tests := []struct {
		name    string
		format  string
		raw     string
		want    string // "field=value;..." over the summary below
		wantErr string
	}{
		{
			name:   "wazuh hit without _source.id uses _id",
			format: "",
			raw:    `{"_index":"wazuh-alerts-4.x","_id":"hit1","_source":{"timestamp":"2024-02-08T11:35:14.334-0300","rule":{"level":13,"id":"550","description":"Integrity checksum changed."},"agent":{"id":"001","name":"web","ip":"192.0.2.5"},"syscheck":{"path":"/etc/passwd","md5_after":"d41d8cd98f00b204e9800998ecf8427e","sha256_after":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}}`,
			want:   "source=wazuh;id=hit1;time=2024-02-08T14:35:14.334Z;severity=critical;host=web/192.0.2.5;file=/etc/passwd|d41d8cd98f00b204e9800998ecf8427ee3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		},
		{
			name:   "wazuh dstip with port and quoted users",
			format: "wazuh",
			raw:    `{"timestamp":"1583330105","id":"1.2","rule":{"level":"5","id":"9705","description":"Dovecot"},"agent":{"id":"000"},"data":{"srcip":"192.0.2.9","srcuser":"<eve>","dstuser":"eve","dstip":"[2001:db8::1]:993"}}`,
			want:   "source=wazuh;id=1.2;time=2020-03-04T13:55:05Z;severity=low;host=/;src=192.0.2.9:0;dst=2001:db8::1:993;users=eve",
		},
		{
			name:    "wazuh level not a number",
			format:  "wazuh",
			raw:     `{"timestamp":"2020-03-04T13:55:05Z","rule":{"level":"high","id":"1"},"agent":{}}`,
			wantErr: "rule.level",
		},
		{
			name:   "suricata techniques from metadata, tactics stay tags",
			format: "",
			raw:    strings.ReplaceAll(eveNoTime, `\"`, `"`),
			want:   "source=suricata;time=0001-01-01T00:00:00Z;severity=high;src=192.0.2.1:0;dst=198.51.100.2:0;techniques=T1190;tags=mitre_tactic_id:TA0001,mitre_technique_id:T1190",
		},
		{
			name:   "suricata tls and dns names",
			format: "suricata",
			raw:    `{"timestamp":"2020-01-01T00:00:00Z","event_type":"alert","src_ip":"192.0.2.1","dest_ip":"198.51.100.2","dest_port":443,"alert":{"signature":"TLS","severity":3},"tls":{"sni":"evil.example."},"dns":{"query":[{"rrname":"a.example"},{"rrname":"198.51.100.9"}]},"fileinfo":{"filename":"x.exe","sha1":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}}`,
			want:   "source=suricata;time=2020-01-01T00:00:00Z;severity=low;src=192.0.2.1:0;dst=198.51.100.2:443(evil.example);domains=evil.example,a.example;file=x.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709",
		},
		{
			name:   "splunk inner record takes _time when it has none",
			format: "",
			raw:    `{"preview":false,"offset":1,"result":{"_raw":"` + eveNoTime + `","_time":"2017-11-04T09:20:24.289-0400","sourcetype":"suricata:alert"}}`,
			want:   "source=suricata;time=2017-11-04T13:20:24.289Z;severity=high;src=192.0.2.1:0;dst=198.51.100.2:0;techniques=T1190;tags=mitre_tactic_id:TA0001,mitre_technique_id:T1190,splunk:suricata:alert",
		},
		{
			name:    "splunk inner record of a known format that is broken",
			format:  "splunk",
			raw:     `{"_raw":"{\"event_type\":\"alert\",\"alert\":{\"signature\":\"x\"},\"timestamp\":\"yesterday\"}","sourcetype":"suricata"}`,
			wantErr: "splunk _raw as suricata",
		},
		{
			name:   "splunk notable with CIM fields",
			format: "",
			raw:    `{"_raw":"x","_time":"1596545116","sourcetype":"stash","event_id":"E1","rule_title":"Malware","urgency":"high","src":"laptop-7","src_ip":"192.0.2.7","dest":"198.51.100.1","user":["alice","bob"],"file_hash":"d41d8cd98f00b204e9800998ecf8427e","annotations.mitre_attack":["T1059.001","nope"]}`,
			want:   "source=splunk_notable;id=E1;time=2020-08-04T12:45:16Z;severity=high;src=192.0.2.7:0(laptop-7);dst=198.51.100.1:0;users=alice,bob;file=|d41d8cd98f00b204e9800998ecf8427e;techniques=T1059.001;tags=splunk:notable",
		},
		{
			name:   "splunk _raw JSON of no known format stays generic",
			format: "",
			raw:    `{"_raw":"{\"hello\":1}","sourcetype":"custom","search_name":"S"}`,
			want:   "source=splunk;time=0001-01-01T00:00:00Z;severity=info;tags=splunk:custom",
		},
		{
			name:    "splunk result with nothing to name it",
			format:  "splunk",
			raw:     `{"result":{"count":"1"},"sid":"x"}`,
			wantErr: "without _raw",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Normalize(tt.format, []byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(a.Raw) || string(a.Raw) != tt.raw {
				t.Error("Raw is not the record")
			}
			if got := summary(a); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// summary renders the alert fields the cases check; content-hash IDs are
// left out.
func summary(a alert.Alert) string {
	var p []string
	add := func(k, v string) {
		if v != "" {
			p = append(p, k+"="+v)
		}
	}
	add("source", a.Source)
	if !strings.Contains(a.ID, "-") {
		add("id", a.ID)
	}
	add("time", a.Time.Format("2006-01-02T15:04:05.999999999Z07:00"))
	add("severity", string(a.Severity))
	for _, h := range a.Entities.Hosts {
		add("host", h.Name+"/"+h.IP)
	}
	ep := func(k string, es []alert.Endpoint) {
		for _, e := range es {
			s := e.IP + ":" + itoa(e.Port)
			if e.Hostname != "" {
				s += "(" + e.Hostname + ")"
			}
			add(k, s)
		}
	}
	ep("src", a.Entities.Src)
	ep("dst", a.Entities.Dst)
	var users []string
	for _, u := range a.Entities.Users {
		users = append(users, u.Name)
	}
	add("users", strings.Join(users, ","))
	add("domains", strings.Join(a.Entities.Domains, ","))
	for _, f := range a.Entities.Files {
		add("file", f.Path+f.Name+"|"+f.MD5+f.SHA1+f.SHA256)
	}
	add("techniques", strings.Join(a.Techniques, ","))
	add("tags", strings.Join(a.Rule.Tags, ","))
	return strings.Join(p, ";")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
