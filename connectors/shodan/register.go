package shodan

import (
	"fmt"

	"github.com/winnow-soc/winnow/connector"
)

func init() {
	connector.RegisterEnricher(Name, func(cfg *Config, deps connector.Deps) (connector.Enricher, error) {
		key, err := cfg.APIKey.Resolve()
		if err != nil {
			return nil, fmt.Errorf("shodan api_key: %w", err)
		}
		return New(cfg, key, deps)
	})
}
