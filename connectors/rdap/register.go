package rdap

import "github.com/winnow-soc/winnow/connector"

func init() {
	connector.RegisterEnricher(Name, func(cfg *Config, deps connector.Deps) (connector.Enricher, error) {
		return New(cfg, deps)
	})
}
