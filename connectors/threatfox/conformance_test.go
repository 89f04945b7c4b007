package threatfox

import (
	"net/http"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Suite{
		Name: Name,
		New: func(t *testing.T, base, secret string, deps connector.Deps) connector.Enricher {
			cfg := &Config{BaseURL: base + "/api/v1/", APIKey: connector.SecretRef{Env: "UNUSED"}}
			cfg.Defaults()
			c, err := New(cfg, connector.NewSecret(secret), deps)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Handler: func(sc conformance.Scenario) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch sc {
				case conformance.ScenarioHit:
					w.Write(readTestdata(t, "search_ioc_domain.json"))
				case conformance.ScenarioMiss:
					w.Write(readTestdata(t, "no_result.json"))
				case conformance.ScenarioUnauthorized:
					w.WriteHeader(http.StatusUnauthorized)
					w.Write(readTestdata(t, "unknown_auth_key.json"))
				case conformance.ScenarioRateLimited:
					w.Header().Set("Retry-After", "60")
					w.WriteHeader(http.StatusTooManyRequests)
				case conformance.ScenarioServerError:
					w.WriteHeader(http.StatusServiceUnavailable)
				default:
					w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
				}
			})
		},
		Observables: map[conformance.Scenario]alert.Observable{conformance.ScenarioHit: {Type: alert.Domain, Value: "gaga.com"}},
	})
}
