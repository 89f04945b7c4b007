package attack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/content"
)

func defaultMapper(t testing.TB) *Mapper {
	t.Helper()
	m, err := DefaultMapper()
	if err != nil {
		t.Fatalf("DefaultMapper: %v", err)
	}
	return m
}

// summary renders techniques as "ID:origin" for compact comparison.
func summary(ts []alert.Technique) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID+":"+t.Origin)
	}
	return out
}

func TestMap(t *testing.T) {
	m := defaultMapper(t)
	tests := []struct {
		name string
		a    alert.Alert
		want []string
	}{
		{
			name: "wazuh sshd brute force",
			a: alert.Alert{Source: "wazuh", Title: "sshd: brute force trying to get access to the system. Non existent user.",
				Rule: alert.Rule{ID: "5712", Name: "sshd: brute force trying to get access to the system. Non existent user.", Tags: []string{"syslog", "sshd", "authentication_failures"}}},
			want: []string{"T1110:content"},
		},
		{
			name: "proofpoint malware attachment delivered",
			a: alert.Alert{Source: "proofpoint", Title: "Proofpoint TAP: malware message delivered",
				Rule: alert.Rule{Category: "malware", Tags: []string{"proofpoint:messagesDelivered", "threat_type:attachment"}}},
			want: []string{"T1566.001:content"},
		},
		{
			name: "proofpoint phishing link",
			a: alert.Alert{Source: "proofpoint", Title: "Proofpoint TAP: phish message delivered",
				Rule: alert.Rule{Category: "phish", Tags: []string{"proofpoint:messagesDelivered", "threat_type:url"}}},
			want: []string{"T1566.002:content"},
		},
		{
			name: "proofpoint spam link is not phishing",
			a: alert.Alert{Source: "proofpoint", Title: "Proofpoint TAP: spam message delivered",
				Rule: alert.Rule{Category: "spam", Tags: []string{"proofpoint:messagesDelivered", "threat_type:url"}}},
			want: nil,
		},
		{
			name: "wazuh brute force by rule id alone",
			a:    alert.Alert{Source: "wazuh", Rule: alert.Rule{ID: "5763"}},
			want: []string{"T1110:content"},
		},
		{
			name: "wazuh-only rule id from another source",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{ID: "5763"}},
			want: nil,
		},
		{
			name: "suricata ET SCAN",
			a:    alert.Alert{Source: "suricata", Title: "ET SCAN Potential SSH Scan", Rule: alert.Rule{ID: "2001219", Name: "ET SCAN Potential SSH Scan", Category: "Attempted Information Leak"}},
			want: []string{"T1046:content"},
		},
		{
			name: "ET SCAN through the wazuh suricata wrapper",
			a: alert.Alert{Source: "wazuh", Title: "Suricata: Alert - ET SCAN Possible Nmap User-Agent Observed",
				Rule: alert.Rule{ID: "86601", Name: "Suricata: Alert - ET SCAN Possible Nmap User-Agent Observed", Tags: []string{"ids", "suricata"}}},
			want: []string{"T1046:content"},
		},
		{
			name: "nmap NSE filed as web application attack is a scan, not an exploit",
			a: alert.Alert{Source: "suricata", Title: "ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap Scripting Engine)",
				Rule: alert.Rule{Name: "ET SCAN Nmap Scripting Engine User-Agent Detected (Nmap Scripting Engine)", Category: "Web Application Attack"}},
			want: []string{"T1595.002:content", "T1046:content"},
		},
		{
			name: "sql injection",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "ET WEB_SERVER Possible SQL Injection (exec)", Category: "Attempted Administrator Privilege Gain"}},
			want: []string{"T1190:content"},
		},
		{
			name: "wazuh sql injection group",
			a:    alert.Alert{Source: "wazuh", Title: "SQL injection attempt.", Rule: alert.Rule{ID: "31103", Name: "SQL injection attempt.", Tags: []string{"web", "accesslog", "attack", "sql_injection"}}},
			want: []string{"T1190:content"},
		},
		{
			name: "shellshock is exploitation and unix shell",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "ET CURRENT_EVENTS QNAP Shellshock CVE-2014-6271", Category: "Attempted Administrator Privilege Gain"}},
			want: []string{"T1190:content", "T1059.004:content"},
		},
		{
			name: "amplification is reflection, not generic DoS",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "ET DOS Possible SSDP Amplification Scan in Progress", Category: "Attempted Denial of Service"}},
			want: []string{"T1498.002:content"},
		},
		{
			name: "ET DOS",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "ET DOS Microsoft Remote Desktop (RDP) Syn then Reset 30 Second DoS Attempt", Category: "Attempted Denial of Service"}},
			want: []string{"T1498:content"},
		},
		{
			name: "sudo to root",
			a:    alert.Alert{Source: "wazuh", Title: "Successful sudo to ROOT executed.", Rule: alert.Rule{ID: "5402", Name: "Successful sudo to ROOT executed."}},
			want: []string{"T1548.003:content"},
		},
		{
			name: "protocol anomaly stays unmapped",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "SURICATA TLS invalid handshake message", Category: "Generic Protocol Command Decode"}},
			want: nil,
		},
		{
			name: "keyword inside a word does not fake a prefix",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "Custom target scan of the database tier"}},
			want: nil,
		},
		{
			name: "vendor techniques: normalised, revoked resolved, junk dropped, sigma tags read",
			a: alert.Alert{Source: "wazuh", Techniques: []string{"T1110.001", " t1078 ", "T1086", "bogus", "T10", ""},
				Rule: alert.Rule{Tags: []string{"attack.t1059.001", "attack.execution", "attack.g0007", "ATTACK.T1021.002"}}},
			want: []string{"T1078:source", "T1059.001:source", "T1110.001:source", "T1021.002:source"},
		},
		{
			name: "source wins over content for the same technique",
			a:    alert.Alert{Source: "suricata", Techniques: []string{"T1190"}, Rule: alert.Rule{Name: "ET WEB_SERVER PHP tags in HTTP POST", Category: "Web Application Attack"}},
			want: []string{"T1190:source"},
		},
		{
			name: "unknown well-formed vendor ID kept and sorted last",
			a:    alert.Alert{Source: "suricata", Techniques: []string{"T9999"}, Rule: alert.Rule{Name: "ET SCAN Potential VNC Scan 5900-5920"}},
			want: []string{"T1046:content", "T9999:source"},
		},
		{
			name: "a sub-technique supersedes its parent from content",
			a:    alert.Alert{Source: "suricata", Rule: alert.Rule{Name: "ET DOS Possible NTP DDoS Inbound Frequent Un-Authed MON_LIST Requests IMPL 0x03", Category: "Attempted Denial of Service"}},
			want: []string{"T1498.002:content"},
		},
		{
			name: "a vendor-named parent is kept beside a content sub-technique",
			a:    alert.Alert{Source: "suricata", Techniques: []string{"T1498"}, Rule: alert.Rule{Name: "ET DOS Possible SSDP Amplification Scan in Progress"}},
			want: []string{"T1498:source", "T1498.002:content"},
		},
		{
			name: "single failed login without groups",
			a:    alert.Alert{Source: "wazuh", Title: "PAM: User login failed.", Rule: alert.Rule{ID: "5503", Name: "PAM: User login failed."}},
			want: []string{"T1110.001:content"},
		},
		{
			name: "empty alert",
			a:    alert.Alert{},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Map(&tt.a)
			if s := summary(got); !slices.Equal(s, tt.want) {
				t.Fatalf("Map = %v, want %v", s, tt.want)
			}
			for _, g := range got {
				kt, ok := m.kb.Technique(g.ID)
				if !ok {
					if g.Name != "" || len(g.Tactics) != 0 {
						t.Errorf("unknown %s has name %q tactics %v", g.ID, g.Name, g.Tactics)
					}
					continue
				}
				if g.Name != kt.Name || !slices.Equal(g.Tactics, kt.Tactics) {
					t.Errorf("%s = %q %v, want %q %v", g.ID, g.Name, g.Tactics, kt.Name, kt.Tactics)
				}
			}
		})
	}
}

func TestMapBruteForceTactic(t *testing.T) {
	m := defaultMapper(t)
	a := alert.Alert{Source: "wazuh", Rule: alert.Rule{ID: "5712", Tags: []string{"authentication_failures"}}}
	got := m.Map(&a)
	if len(got) != 1 || got[0].ID != "T1110" || !slices.Equal(got[0].Tactics, []string{"credential-access"}) {
		t.Fatalf("Map = %+v, want T1110 under credential-access", got)
	}
}

func TestMapDoesNotShareOrModify(t *testing.T) {
	m := defaultMapper(t)
	a := alert.Alert{Source: "wazuh", Techniques: []string{"t1078"}, Rule: alert.Rule{Name: "Successful sudo to ROOT executed.", Tags: []string{"attack.T1059"}}}
	before, _ := json.Marshal(a)
	first := m.Map(&a)
	after, _ := json.Marshal(a)
	if !bytes.Equal(before, after) {
		t.Errorf("Map modified its input:\n%s\n%s", before, after)
	}
	first[0].Tactics[0] = "mutated"
	second := m.Map(&a)
	if second[0].Tactics[0] == "mutated" {
		t.Errorf("Map output shares tactic slices with the knowledge base")
	}
	first[0].Tactics[0] = second[0].Tactics[0]
	if !reflect.DeepEqual(first, second) {
		t.Errorf("Map is not deterministic: %+v vs %+v", first, second)
	}
}

// TestMappingTechniquesExist checks every shipped mapping against the
// knowledge base explicitly, beside NewMapper's own validation.
func TestMappingTechniquesExist(t *testing.T) {
	data, err := content.FS.ReadFile("attack_mappings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := decodeMappings(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Mappings); n < 40 || n > 80 {
		t.Errorf("%d mappings, want a focused set of 40-80", n)
	}
	kb := Default()
	for _, s := range f.Mappings {
		for _, id := range s.Techniques {
			if got, ok := kb.Technique(id); !ok || got.ID != id {
				t.Errorf("mapping %s: technique %s is not a live ATT&CK ID", s.ID, id)
			}
		}
	}
}

func TestNewMapperInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid mapping files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
			want, ok := strings.CutPrefix(string(first), "# wantErr: ")
			if !ok {
				t.Fatalf("first line %q lacks # wantErr:", first)
			}
			_, err = NewMapper(Default(), data)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("NewMapper error = %v, want containing %q", err, want)
			}
		})
	}
}

func TestNewMapperReportsAllProblems(t *testing.T) {
	data := []byte("version: 1\nmappings:\n  - id: a\n    techniques: [T9999]\n  - id: a\n    keywords: [x]\n    techniques: [T1046]\n")
	_, err := NewMapper(Default(), data)
	if err == nil {
		t.Fatal("NewMapper accepted invalid mappings")
	}
	for _, want := range []string{"no condition", `"T9999"`, "duplicate id"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

type corpusAlert struct {
	Source string     `json:"source"`
	Title  string     `json:"title"`
	Rule   alert.Rule `json:"rule"`
}

func loadCorpus(t testing.TB) []alert.Alert {
	t.Helper()
	data, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var in []corpusAlert
	if err := json.Unmarshal(data, &in); err != nil {
		t.Fatalf("decode corpus: %v", err)
	}
	out := make([]alert.Alert, len(in))
	for i, c := range in {
		out[i] = alert.Alert{Source: c.Source, Title: c.Title, Rule: c.Rule}
	}
	return out
}

// TestCorpusGolden maps every distinct detection name seen in the AIT-ADS and
// CPTC 2017 data sets and compares with the reviewed golden output.
func TestCorpusGolden(t *testing.T) {
	m := defaultMapper(t)
	var buf bytes.Buffer
	buf.WriteString("[\n")
	corpus := loadCorpus(t)
	mapped := 0
	for i, a := range corpus {
		got := summary(m.Map(&a))
		if len(got) > 0 {
			mapped++
		}
		line, err := json.Marshal(struct {
			Source     string   `json:"source"`
			Title      string   `json:"title"`
			Techniques []string `json:"techniques"`
		}{a.Source, a.Title, got})
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		if i < len(corpus)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	const golden = "testdata/corpus.golden.json"
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read %s (create it with UPDATE_GOLDEN=1): %v", golden, err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("mapping of the corpus drifted from %s; review and refresh with UPDATE_GOLDEN=1", golden)
	}
	t.Logf("%d of %d corpus alerts map to a technique", mapped, len(corpus))
}

func FuzzMappingsYAML(f *testing.F) {
	if data, err := content.FS.ReadFile("attack_mappings.yaml"); err == nil {
		f.Add(data)
	}
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	kb := Default()
	a := alert.Alert{Source: "suricata", Title: "ET SCAN Potential SSH Scan", Techniques: []string{"T1059"},
		Rule: alert.Rule{ID: "5712", Name: "ET SCAN Potential SSH Scan", Category: "Web Application Attack", Tags: []string{"authentication_failures"}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := NewMapper(kb, data)
		if err != nil {
			return
		}
		got := m.Map(&a)
		for i := 1; i < len(got); i++ {
			if got[i-1].ID == got[i].ID {
				t.Fatalf("duplicate technique %s in %v", got[i].ID, summary(got))
			}
		}
	})
}

func BenchmarkMap(b *testing.B) {
	m := defaultMapper(b)
	corpus := loadCorpus(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Map(&corpus[i%len(corpus)])
		i++
	}
}

// TestMapConcurrent shares one Mapper between goroutines; run with -race.
func TestMapConcurrent(t *testing.T) {
	m := defaultMapper(t)
	corpus := loadCorpus(t)
	want := make([][]string, len(corpus))
	for i := range corpus {
		want[i] = summary(m.Map(&corpus[i]))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range corpus {
				if got := summary(m.Map(&corpus[i])); !slices.Equal(got, want[i]) {
					t.Errorf("%q: concurrent Map = %v, want %v", corpus[i].Title, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}
