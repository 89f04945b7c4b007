package greynoise

import (
	"fmt"

	"github.com/winnow-soc/winnow/connector"
)

func init() {
	connector.RegisterEnricher(Name, func(cfg *Config, deps connector.Deps) (connector.Enricher, error) {
		var key connector.Secret
		if cfg.APIKey != (connector.SecretRef{}) {
			k, err := cfg.APIKey.Resolve()
			if err != nil {
				return nil, fmt.Errorf("greynoise api_key: %w", err)
			}
			key = k
		}
		return New(cfg, key, deps)
	})
}
