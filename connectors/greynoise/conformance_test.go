package greynoise

import (
	"net/http"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

func TestConformance(t *testing.T) {
	for _, edition := range []string{Community, Enterprise} {
		t.Run(edition, func(t *testing.T) {
			conformance.Run(t, conformance.Suite{
				Name: Name,
				New: func(t *testing.T, base, secret string, deps connector.Deps) connector.Enricher {
					c, err := New(&Config{BaseURL: base, Edition: edition}, connector.NewSecret(secret), deps)
					if err != nil {
						t.Fatal(err)
					}
					return c
				},
				Handler:     func(sc conformance.Scenario) http.Handler { return scenario(t, edition, sc) },
				Observables: map[conformance.Scenario]alert.Observable{conformance.ScenarioHit: {Type: alert.IPv4, Value: "71.6.135.131"}},
			})
		})
	}
}

// scenario replays the recorded GreyNoise answers for one scenario.
func scenario(t *testing.T, edition string, sc conformance.Scenario) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		riot := r.URL.Path == "/v2/riot/71.6.135.131"
		switch sc {
		case conformance.ScenarioHit:
			file := "community_malicious.json"
			if edition == Enterprise {
				file = "enterprise_context.json"
				if riot {
					file = "enterprise_riot_false.json"
				}
			}
			w.Write(readTestdata(t, file))
		case conformance.ScenarioMiss:
			w.WriteHeader(http.StatusNotFound)
			w.Write(readTestdata(t, "community_not_found.json"))
		case conformance.ScenarioUnauthorized:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write(readTestdata(t, "unauthorized.json"))
		case conformance.ScenarioRateLimited:
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write(readTestdata(t, "community_rate_limited.json"))
		case conformance.ScenarioServerError:
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.Write([]byte("<html><body>upstream maintenance</body></html>"))
		}
	})
}
