package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// genericFalco maps Falco's native JSON output; output_fields has flat
// dotted keys, which the path output_fields.user.name reaches.
var genericFalco = GenericMapping{
	Match: GenericMatch{Field: "source", Equals: "syscalls"},
	Fields: map[string]string{
		"id": "uuid", "time": "time", "title": "rule", "description": "output", "severity": "priority",
		"host": "hostname", "tags": "tags", "user": "output_fields.user.name", "process": "output_fields.proc.name",
		"command_line": "output_fields.proc.cmdline", "category": "source",
	},
	SeverityMap: map[string]string{
		"Emergency": "critical", "Alert": "critical", "Critical": "critical", "Error": "high",
		"Warning": "medium", "Notice": "low", "Informational": "info", "Debug": "info",
	},
}

// genericQRadar maps a QRadar offense from the REST API (severity 0-10).
var genericQRadar = GenericMapping{
	Fields: map[string]string{
		"id": "id", "time": "start_time", "title": "description", "severity": "severity",
		"rule_id": "rules.0.id", "category": "categories.0", "tags": "categories", "user": "assigned_to",
		"text": "offense_source",
	},
	SeverityMap: map[string]string{
		"0": "info", "1": "info", "2": "low", "3": "low", "4": "medium", "5": "medium",
		"6": "high", "7": "high", "8": "high", "9": "critical", "10": "critical",
	},
}

func mustGeneric(t testing.TB, name string, m GenericMapping) Format {
	t.Helper()
	f, err := NewGeneric(name, m)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestGenericPaths checks the path resolver on the shapes JSON records take.
func TestGenericPaths(t *testing.T) {
	const rec = `{"a":{"b":{"c":"deep"}},"n":42,"f":1.5,"t":true,"z":null,"o":{"x":1},"arr":[{"id":"e0","v":[1,2]},{"id":"e1"}],` +
		`"flat.key":"dotted","mix":{"k.l":"mixed"},"list":["x","","y"],"esc":"a\"b\u00e9","nest":[[{"q":"in"}]]}`
	tests := []struct {
		path string
		want []string
	}{
		{"a.b.c", []string{"deep"}},
		{"n", []string{"42"}},
		{"f", []string{"1.5"}},
		{"t", []string{"true"}},
		{"z", nil},
		{"o", nil},
		{"missing", nil},
		{"a.b.missing", nil},
		{"a.b.c.d", nil},
		{"arr.0.id", []string{"e0"}},
		{"arr.1.id", []string{"e1"}},
		{"arr.2.id", nil},
		{"arr.id", []string{"e0", "e1"}},
		{"arr.0.v", []string{"1", "2"}},
		{"arr.0.v.1", []string{"2"}},
		{"flat.key", []string{"dotted"}},
		{"mix.k.l", []string{"mixed"}},
		{"list", []string{"x", "y"}},
		{"list.2", []string{"y"}},
		{"esc", []string{`a"bé`}},
		{"nest.0.0.q", []string{"in"}},
		{"nest.q", []string{"in"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var root genericNode
			root.add(tt.path, genericText)
			var v genericValues
			err := withFields([]byte(rec), func(fs Fields) error { return v.walkFields(fs, &root, 0) })
			if err != nil {
				t.Fatal(err)
			}
			if got := v[genericText]; !slices.Equal(got, tt.want) {
				t.Errorf("path %s = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestNewGenericErrors(t *testing.T) {
	tests := []struct {
		name    string
		mapping GenericMapping
		want    []string
	}{
		{"bad name", GenericMapping{Fields: map[string]string{"title": "t"}}, []string{`name "Bad-Name"`}},
		{"no title", GenericMapping{Fields: map[string]string{"id": "x"}}, []string{"fields.title is required"}},
		{"unknown field and empty segment", GenericMapping{Fields: map[string]string{"title": "a..b", "colour": "c"}},
			[]string{`unknown field "colour"`, `fields.title: path "a..b" has an empty segment`}},
		{"bad severity and no severity path", GenericMapping{Fields: map[string]string{"title": "t"}, SeverityMap: map[string]string{"9": "urgent"}},
			[]string{`severity_map["9"]: "urgent"`, "severity_map without fields.severity"}},
		{"match problems", GenericMapping{Fields: map[string]string{"title": "t"}, Match: GenericMatch{Equals: "x"}}, []string{"match.equals without match.field"}},
		{"match path", GenericMapping{Fields: map[string]string{"title": "t"}, Match: GenericMatch{Field: "a b"}}, []string{"match.field", "white space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "ok_name"
			if tt.name == "bad name" {
				name = "Bad-Name"
			}
			_, err := NewGeneric(name, tt.mapping)
			if err == nil {
				t.Fatal("NewGeneric succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestGenericNormalize(t *testing.T) {
	edr := GenericMapping{
		Fields: map[string]string{
			"id": "alert.uuid", "time": "ts", "title": "rule.name", "description": "rule.desc", "severity": "sev",
			"rule_id": "rule.id", "tags": "labels", "src_ip": "net.src", "src_port": "net.sport", "dst_ip": "net.dst",
			"dst_port": "net.dport", "host": "device.name", "host_ip": "device.ip", "user": "who", "process": "proc.name",
			"command_line": "proc.cmd", "file_hash": "hashes", "file_path": "path", "url": "url", "domain": "dns",
			"email_from": "mail.from", "email_to": "mail.to", "email_subject": "mail.subject", "techniques": "mitre",
		},
		SeverityMap: map[string]string{"1": "low", "2": "medium", "3": "high", "4": "critical"},
	}
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr string
	}{
		{
			name: "every field",
			raw: `{"alert":{"uuid":"A1"},"ts":1700000000123,"rule":{"name":"Bad thing","id":77,"desc":"d"},"sev":4,"labels":["x","y"],` +
				`"net":{"src":"192.0.2.1","sport":"5555","dst":"198.51.100.1","dport":443},"device":{"name":"pc1","ip":"10.0.0.9"},"who":["ann","bob"],` +
				`"proc":{"name":"ps.exe","cmd":"ps -enc"},"hashes":["d41d8cd98f00b204e9800998ecf8427e","da39a3ee5e6b4b0d3255bfef95601890afd80709"],"path":"C:\\t\\x",` +
				`"url":"https://bad.example/x","dns":"bad.example.","mail":{"from":"a@b.example","to":["c@d.example"],"subject":"hi"},"mitre":["T1059.001","TA0002"]}`,
			want: "source=generic;id=A1;time=2023-11-14T22:13:20.123Z;severity=critical;host=pc1/10.0.0.9;src=192.0.2.1:5555;dst=198.51.100.1:443;users=ann,bob;domains=bad.example;file=C:\\t\\x|d41d8cd98f00b204e9800998ecf8427eda39a3ee5e6b4b0d3255bfef95601890afd80709;techniques=T1059.001;tags=generic:edr,x,y",
		},
		{
			name: "severity name without a map entry, RFC 3339 time, no id",
			raw:  `{"ts":"2024-01-02T03:04:05+01:00","rule":{"name":"R"},"sev":"High"}`,
			want: "source=generic;time=2024-01-02T02:04:05Z;severity=high;tags=generic:edr",
		},
		{
			name: "no severity is medium",
			raw:  `{"rule":{"name":"R"}}`,
			want: "source=generic;time=0001-01-01T00:00:00Z;severity=medium;tags=generic:edr",
		},
		{name: "unmapped severity", raw: `{"rule":{"name":"R"},"sev":9}`, wantErr: `severity "9"`},
		{name: "no title", raw: `{"rule":{"id":1}}`, wantErr: "no title"},
		{name: "bad time", raw: `{"rule":{"name":"R"},"ts":"later"}`, wantErr: "time"},
		{name: "broken JSON", raw: `{"rule":{"name":"R"}`, wantErr: "not valid JSON"},
		{name: "not an object", raw: `["rule"]`, wantErr: "generic edr"},
	}
	f := mustGeneric(t, "edr", edr)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := f.Normalize([]byte(tt.raw))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(a); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	a, err := f.Normalize([]byte(`{"rule":{"name":"R"},"proc":{"cmd":"x"},"mail":{"subject":"s"}}`))
	if err != nil || len(a.Entities.Processes) != 1 || a.Entities.Processes[0].CommandLine != "x" || a.Entities.Email == nil || a.Entities.Email.Subject != "s" {
		t.Errorf("process/email not mapped: %+v, %v", a.Entities, err)
	}
}

func TestNormalizer(t *testing.T) {
	falco := mustGeneric(t, "falco", genericFalco)
	qradar := mustGeneric(t, "qradar_offense", genericQRadar)
	other := mustGeneric(t, "other", GenericMapping{Match: GenericMatch{Field: "kind", Equals: "other"}, Fields: map[string]string{"title": "t"}})
	twin := mustGeneric(t, "twin", GenericMapping{Match: GenericMatch{Field: "source", Equals: "syscalls"}, Fields: map[string]string{"title": "rule"}})
	falcoRec := []byte(`{"uuid":"u","rule":"R","priority":"Error","source":"syscalls","time":"2023-01-03T15:11:39Z"}`)
	otherRec := []byte(`{"kind":"other","t":"T"}`)
	eve := []byte(`{"timestamp":"2017-11-04T13:20:24.289881+0000","event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"signature_id":1,"signature":"x","severity":2}}`)
	tests := []struct {
		name    string
		n       *Normalizer
		format  string
		raw     []byte
		want    string // tag or source of the single alert
		wantErr error
	}{
		{"nil normalizer is the registry", nil, "auto", eve, "suricata", nil},
		{"built-ins still detected", NewNormalizer(falco, qradar), "auto", eve, "suricata", nil},
		{"match claims in detection", NewNormalizer(qradar, falco), "auto", falcoRec, "generic:falco", nil},
		{"no match rule never detects", NewNormalizer(qradar), "auto", []byte(`{"id":1,"description":"d"}`), "", ErrUnknownFormat},
		{"two mappings claim", NewNormalizer(falco, twin), "auto", falcoRec, "", ErrAmbiguousFormat},
		{"only mapping is used without match", NewNormalizer(qradar), "generic", []byte(`{"id":1,"description":"d"}`), "generic:qradar_offense", nil},
		{"first matching mapping", NewNormalizer(other, falco), "generic", falcoRec, "generic:falco", nil},
		{"second matching mapping", NewNormalizer(falco, other), "generic", otherRec, "generic:other", nil},
		{"no mapping matches", NewNormalizer(falco, other), "generic", []byte(`{"x":1}`), "", ErrUnknownFormat},
		{"mapping without match is the fallback", NewNormalizer(falco, qradar, other), "generic", []byte(`{"id":1,"description":"d"}`), "generic:qradar_offense", nil},
		{"generic without mappings", NewNormalizer(), "generic", falcoRec, "", ErrUnknownFormat},
		{"built-in by name", NewNormalizer(falco), "suricata", eve, "suricata", nil},
		{"text records are not offered to mappings", NewNormalizer(falco), "auto", []byte("source=syscalls rule=R"), "", ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []alert.Alert
			err := tt.n.NormalizeAll(tt.format, tt.raw, func(a alert.Alert) error { got = append(got, a); return nil })
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !bytes.Equal(got[0].Raw, tt.raw) {
				t.Fatalf("got %d alerts, raw kept: %v", len(got), len(got) == 1 && bytes.Equal(got[0].Raw, tt.raw))
			}
			label := got[0].Source
			if label == "generic" {
				label = got[0].Rule.Tags[0]
			}
			if label != tt.want {
				t.Errorf("normalised by %s, want %s", label, tt.want)
			}
		})
	}
	stop := errors.New("stop")
	if err := NewNormalizer(falco).NormalizeAll("generic", falcoRec, func(alert.Alert) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("emit error not returned: %v", err)
	}
	n := NewNormalizer(falco)
	for format, want := range map[string]bool{"auto": true, "": true, "generic": true, "wazuh": true, "nope": false} {
		if n.Has(format) != want {
			t.Errorf("Has(%q) = %v", format, !want)
		}
	}
	if (*Normalizer)(nil).Has("generic") {
		t.Error("nil Normalizer has generic")
	}
}

// genericGoldenCases normalise vendor-native samples no built-in format
// reads with a generic mapping.
var genericGoldenCases = []struct {
	name, file, mapping string
	m                   GenericMapping
}{
	{"generic_falco_raw", "samples/ocsf/falco.raw.json", "falco", genericFalco},
	{"generic_qradar_offense_raw", "samples/ocsf/qradar_offense.raw.json", "qradar_offense", genericQRadar},
}

func TestGenericGolden(t *testing.T) {
	for _, tc := range genericGoldenCases {
		t.Run(tc.name, func(t *testing.T) {
			n := NewNormalizer(mustGeneric(t, tc.mapping, tc.m))
			var entries []goldenEntry
			for _, r := range records(t, tc.file, 0) {
				e := goldenEntry{Line: r.Line}
				err := n.NormalizeAll("generic", r.Data, func(a alert.Alert) error {
					if !bytes.Equal(a.Raw, r.Data) {
						t.Errorf("line %d: Raw is not the record", r.Line)
					}
					a.Raw = nil
					e.Format, e.Alert = a.Source, &a
					return nil
				})
				if err != nil {
					e.Error = err.Error()
				}
				entries = append(entries, e)
			}
			got, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".golden")
			if os.Getenv("UPDATE_GOLDEN") != "" {
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

func FuzzGeneric(f *testing.F) {
	for _, tc := range genericGoldenCases {
		for _, r := range records(f, tc.file, 0) {
			f.Add(r.Data)
		}
	}
	f.Add([]byte(`{"rule":"R","output_fields":{"user.name":["a",{"b":1}]},"nest":[[[]]]}`))
	n := NewNormalizer(mustGeneric(f, "falco", genericFalco), mustGeneric(f, "qradar_offense", genericQRadar))
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := n.NormalizeAll("generic", raw, func(a alert.Alert) error {
			if a.Source != "generic" || a.ID == "" || a.Title == "" || a.Severity.Rank() == 0 {
				t.Fatalf("alert without source, id, title or severity and no error: %+v", a)
			}
			if !a.Time.IsZero() && a.Time.Location().String() != "UTC" {
				t.Fatalf("time %v not in UTC", a.Time)
			}
			if _, err := json.Marshal(a); err != nil {
				t.Fatalf("alert does not marshal: %v", err)
			}
			return nil
		})
		if err != nil && json.Valid(raw) && errors.Is(err, ErrAmbiguousFormat) {
			t.Fatalf("ambiguous with a named format: %v", err)
		}
	})
}

// BenchmarkNormalizeGeneric runs the Falco and QRadar samples through a
// Normalizer holding both mappings, as triage --format generic does: the
// Falco mapping claims by its match rule, the QRadar offense falls to the
// mapping without one.
func BenchmarkNormalizeGeneric(b *testing.B) {
	var raws [][]byte
	for _, tc := range genericGoldenCases {
		for _, r := range records(b, tc.file, 0) {
			raws = append(raws, r.Data)
		}
	}
	n := NewNormalizer(mustGeneric(b, "falco", genericFalco), mustGeneric(b, "qradar_offense", genericQRadar))
	emit := func(alert.Alert) error { return nil }
	elasticBenchLoop(b, raws, func(raw []byte) error { return n.NormalizeAll("generic", raw, emit) })
}
