package opencti

import (
	"fmt"

	"github.com/winnow-soc/winnow/connector"
)

func init() {
	connector.RegisterEnricher(Name, func(cfg *Config, deps connector.Deps) (connector.Enricher, error) {
		key, err := cfg.APIKey.Resolve()
		if err != nil {
			return nil, fmt.Errorf("enricher %s: api_key: %w", Name, err)
		}
		return New(cfg, key, deps)
	})
}
