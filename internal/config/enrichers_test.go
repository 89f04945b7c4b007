package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseEnrichers(t *testing.T) {
	base := "data_dir: /tmp/w\ndefault_tenant: a\ntenants:\n  - id: a\n"
	tests := []struct {
		name    string
		yaml    string
		wantErr []string // every one must appear; none means valid
	}{
		{"valid", `enrich_deadline: 3s
enrichers:
  - name: vt
    type: virustotal
    reliability: B
    rate: 4/m
    daily_quota: 500
    monthly_quota: 15500
    timeout: 2s
    ttl: {malicious: 24h, benign: 168h, not_found: 6h}
    types: [ipv4, domain, url, sha256]
    config: {api_key: {env: VT_API_KEY}}
`, nil},
		{"every problem at once", `enrichers:
  - {name: vt, type: virustotal, reliability: Z, rate: "4 per minute", daily_quota: 500, monthly_quota: 100, timeout: -1s, ttl: {not_found: -1h}, types: [ipv4, onion]}
  - {name: vt, reliability: A, retries: 11}
  - {type: x, reliability: C}
`, []string{
			`enrichers[0].reliability: "Z": want one of A, B, C, D, E, F`,
			`enrichers[0].rate: "4 per minute": want N/s, N/m, N/h or N/d`,
			`enrichers[0].monthly_quota: 100 is below daily_quota 500`,
			`enrichers[0].timeout: must not be negative`,
			`enrichers[0].ttl.not_found: must not be negative`,
			`enrichers[0].types[1]: unknown observable type "onion"`,
			`enrichers[1].name: duplicate enricher "vt" (also enrichers[0])`,
			`enrichers[1].type: required`,
			`enrichers[1].retries: 11: want 0 to 10`,
			`enrichers[2].name: required`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("w.yaml", []byte(base+tt.yaml))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				e := c.Enrichers[0]
				if e.Timeout != 2*time.Second || e.TTL.Benign != 168*time.Hour || e.Rate != "4/m" || c.EnrichDeadline != 3*time.Second {
					t.Errorf("decoded %+v deadline %v", e, c.EnrichDeadline)
				}
				if ref, _ := e.Config["api_key"].(map[string]any); ref["env"] != "VT_API_KEY" {
					t.Errorf("connector block = %#v", e.Config)
				}
				return
			}
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q; got:\n%v", w, err)
				}
			}
		})
	}
}
