package config

import (
	"maps"
	"reflect"
	"strings"
	"testing"
)

func TestParseGenericFormats(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		want   []map[string]string // Fields.Map() per mapping
		match  []string            // "field=equals" per mapping, "" for none
		sevMap []int               // len(SeverityMap) per mapping
	}{
		{
			name:   "none",
			yaml:   "data_dir: /tmp/w\n",
			want:   nil,
			match:  nil,
			sevMap: nil,
		},
		{
			name: "two mappings",
			yaml: `data_dir: /tmp/w
formats:
  generic:
    - name: my_edr
      match: {field: product.name, equals: MyEDR}
      fields:
        id: alert.uuid
        time: ts
        title: rule.name
        severity: sev
        file_hash: file.hashes.0
        techniques: mitre.ids
      severity_map: {"1": low, "2": medium, "3": high, "4": critical}
    - name: other
      fields: {title: msg, email_to: mail.rcpt}
`,
			want: []map[string]string{
				{"id": "alert.uuid", "time": "ts", "title": "rule.name", "severity": "sev", "file_hash": "file.hashes.0", "techniques": "mitre.ids"},
				{"title": "msg", "email_to": "mail.rcpt"},
			},
			match:  []string{"product.name=MyEDR", ""},
			sevMap: []int{4, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("winnow.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Formats.Generic) != len(tt.want) {
				t.Fatalf("%d mappings, want %d", len(c.Formats.Generic), len(tt.want))
			}
			for i, g := range c.Formats.Generic {
				if got := g.Fields.Map(); !maps.Equal(got, tt.want[i]) {
					t.Errorf("mapping %d fields = %v, want %v", i, got, tt.want[i])
				}
				m := ""
				if g.Match != nil {
					m = g.Match.Field + "=" + g.Match.Equals
				}
				if m != tt.match[i] || len(g.SeverityMap) != tt.sevMap[i] {
					t.Errorf("mapping %d match %q severity_map %v", i, m, g.SeverityMap)
				}
			}
		})
	}
}

// TestGenericFieldsPairs keeps pairs (and so Map and validation) in step
// with the struct: every YAML field is listed once, under its YAML name,
// and reads the right struct field.
func TestGenericFieldsPairs(t *testing.T) {
	var f GenericFields
	v := reflect.ValueOf(&f).Elem()
	typ := v.Type()
	for i := range typ.NumField() {
		v.Field(i).SetString("p" + typ.Field(i).Name)
	}
	pairs := f.pairs()
	if len(pairs) != typ.NumField() {
		t.Fatalf("pairs lists %d fields, the struct has %d", len(pairs), typ.NumField())
	}
	for i := range typ.NumField() {
		sf := typ.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if got := f.Map()[tag]; got != "p"+sf.Name {
			t.Errorf("Map()[%q] = %q, want the value of %s", tag, got, sf.Name)
		}
	}
}
