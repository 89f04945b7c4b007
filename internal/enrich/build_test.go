package enrich

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/config"
)

type echoConfig struct {
	Verdict string              `json:"verdict"`
	APIKey  connector.SecretRef `json:"api_key"`
}

func (c *echoConfig) Defaults() {
	if c.Verdict == "" {
		c.Verdict = "suspicious"
	}
}
func (c *echoConfig) Validate() error {
	if c.Verdict == "bad" {
		return errors.New("verdict: bad")
	}
	return nil
}

func init() {
	connector.RegisterEnricher[echoConfig]("enrich-test-echo", func(c *echoConfig, _ connector.Deps) (connector.Enricher, error) {
		v := alert.Reputation(c.Verdict)
		return &fake{name: "echo", fn: func(int64, alert.Observable) ([]alert.Finding, error) {
			return []alert.Finding{{Source: "echo", Reputation: v}}, nil
		}}, nil
	})
}

func TestBuild(t *testing.T) {
	cfg := &config.Config{Enrichers: []config.Enricher{
		{Name: "e1", Type: "enrich-test-echo", Reliability: "B", Rate: "10/s", Config: map[string]any{"verdict": "malicious"}},
	}}
	on, err := Build(cfg, connector.Deps{}, Stores{})
	if err != nil {
		t.Fatal(err)
	}
	obs := []alert.Observable{ip}
	on.Enrich(context.Background(), obs)
	if len(obs[0].Findings) != 1 || obs[0].Findings[0].Reputation != alert.Malicious || obs[0].Findings[0].Reliability != "B" {
		t.Errorf("findings = %+v", obs[0].Findings)
	}
	if on, err := Build(&config.Config{}, connector.Deps{}, Stores{}); on != nil || err != nil {
		t.Errorf("no enrichers: %v, %v; want nil, nil", on, err)
	}
	bad := &config.Config{Enrichers: []config.Enricher{
		{Name: "e1", Type: "nope", Reliability: "B"},
		{Name: "e2", Type: "enrich-test-echo", Reliability: "B", Config: map[string]any{"verdict": "bad"}},
		{Name: "e3", Type: "enrich-test-echo", Reliability: "B", Config: map[string]any{"colour": "red"}},
		{Name: "e4", Type: "enrich-test-echo", Reliability: "B", Rate: "fast"},
	}}
	_, err = Build(bad, connector.Deps{}, Stores{})
	for _, want := range []string{`e1: unknown type "nope"`, "e2: enricher enrich-test-echo: invalid configuration", `unknown field "colour"`, `e4: rate "fast"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
