package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/normalize"
)

const genericConfig = `data_dir: /tmp/winnow-test
formats:
  generic:
    - name: my_edr
      match: {field: product.name, equals: MyEDR}
      fields:
        id: alert.uuid
        time: ts
        title: rule.name
        severity: sev
        host: device.name
        src_ip: net.src
        dst_ip: net.dst
        dst_port: net.dport
        command_line: proc.cmd
        techniques: mitre
      severity_map: {"1": low, "2": medium, "3": high, "4": critical}
`

// genericNormalizer compiles cfg's mappings as internal/app does.
func genericNormalizer(t *testing.T, cfg *config.Config) *normalize.Normalizer {
	t.Helper()
	var extra []normalize.Format
	for _, g := range cfg.Formats.Generic {
		m := normalize.GenericMapping{Fields: g.Fields.Map(), SeverityMap: g.SeverityMap}
		if g.Match != nil {
			m.Match = normalize.GenericMatch{Field: g.Match.Field, Equals: g.Match.Equals}
		}
		f, err := normalize.NewGeneric(g.Name, m)
		if err != nil {
			t.Fatal(err)
		}
		extra = append(extra, f)
	}
	return normalize.NewNormalizer(extra...)
}

// TestRunnerGenericFormat runs records of a configured generic mapping,
// mixed with built-in ones, through a Runner end to end.
func TestRunnerGenericFormat(t *testing.T) {
	cfg, err := config.Parse("winnow.yaml", []byte(genericConfig))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := New(context.Background(), cfg, Options{Intel: intel.Empty()})
	if err != nil {
		t.Fatal(err)
	}
	edr := `{"product":{"name":"MyEDR"},"alert":{"uuid":"edr-1"},"ts":1767225600000,"rule":{"name":"Encoded PowerShell"},"sev":4,` +
		`"device":{"name":"ws-9"},"net":{"src":"10.0.0.9","dst":"203.0.113.50","dport":443},"proc":{"cmd":"powershell -enc SQBFAFgA"},"mitre":["T1059.001"]}`
	unmapped := `{"product":{"name":"MyEDR"},"alert":{"uuid":"edr-2"},"rule":{"name":"R"},"sev":9}`
	other := `{"product":{"name":"OtherEDR"},"rule":{"name":"R"}}`
	in := strings.Join([]string{edr, eveRecord(1), unmapped, other}, "\n") + "\n"
	tests := []struct {
		name     string
		n        *normalize.Normalizer
		format   string
		decided  []string // alert IDs in order
		rejected []string // error substrings in order
	}{
		{"configured mapping", genericNormalizer(t, cfg), "auto", []string{"edr-1", ""},
			[]string{`severity "9"`, "unknown alert format"}},
		{"built-ins only", nil, "auto", []string{""},
			[]string{"unknown alert format", "unknown alert format", "unknown alert format"}},
		// The only mapping is used whether its match rule holds or not.
		{"forced generic", genericNormalizer(t, cfg), "generic", []string{"edr-1", ""},
			[]string{"record has no title", `severity "9"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rejs []string
			var out bytes.Buffer
			r := &Runner{Engine: eng, Format: tt.format, Normalizer: tt.n, Workers: 2,
				OnReject: func(rj Rejection) { rejs = append(rejs, rj.Err.Error()) }}
			st, err := r.Run(context.Background(), []Input{{"in.jsonl", strings.NewReader(in)}}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != 4 || st.Decided != len(tt.decided) || st.Rejected != len(tt.rejected) {
				t.Errorf("stats %+v", st)
			}
			for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
				if i >= len(tt.decided) {
					break
				}
				var d alert.Decision
				if err := json.Unmarshal([]byte(line), &d); err != nil {
					t.Fatal(err)
				}
				if want := tt.decided[i]; want != "" && d.AlertID != want {
					t.Errorf("decision %d is for %s, want %s", i, d.AlertID, want)
				}
				if d.AlertID == "edr-1" && (d.Source != "generic" || !strings.Contains(d.Reasoning, "source rated the alert critical") || len(d.Techniques) == 0 || d.Techniques[0].ID != "T1059.001") {
					t.Errorf("generic decision lost fields: %+v", d)
				}
			}
			if len(rejs) != len(tt.rejected) {
				t.Fatalf("rejections %q, want %q", rejs, tt.rejected)
			}
			for i, w := range tt.rejected {
				if !strings.Contains(rejs[i], w) {
					t.Errorf("rejection %d = %q, want %q", i, rejs[i], w)
				}
			}
		})
	}
}
