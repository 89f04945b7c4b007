package opencti

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

// TestConformance runs the SDK's suite against a loopback OpenCTI that
// replays the recorded answers of testdata/.
func TestConformance(t *testing.T) {
	serve := func(status int, retryAfter, file string) http.Handler {
		body, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatalf("read testdata %s: %v", file, err)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.URL.Path != "/graphql" {
				http.Error(w, "unexpected request", http.StatusBadRequest)
				return
			}
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write(body)
		})
	}
	conformance.Run(t, conformance.Suite{
		Name: Name,
		New: func(t *testing.T, baseURL, secret string, deps connector.Deps) connector.Enricher {
			cfg := &Config{BaseURL: baseURL}
			cfg.Defaults()
			c, err := New(cfg, connector.NewSecret(secret), deps)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Handler: func(sc conformance.Scenario) http.Handler {
			switch sc {
			case conformance.ScenarioHit:
				return serve(http.StatusOK, "", "hit.json")
			case conformance.ScenarioMiss:
				return serve(http.StatusOK, "", "empty.json")
			case conformance.ScenarioUnauthorized:
				return serve(http.StatusOK, "", "auth_required.json")
			case conformance.ScenarioRateLimited:
				return serve(http.StatusTooManyRequests, "60", "garbage.txt")
			case conformance.ScenarioServerError:
				return serve(http.StatusInternalServerError, "", "garbage.txt")
			}
			return serve(http.StatusOK, "", "garbage.txt")
		},
		Observables: map[conformance.Scenario]alert.Observable{
			conformance.ScenarioHit:  {Type: alert.IPv4, Value: "192.0.2.44"},
			conformance.ScenarioMiss: {Type: alert.Domain, Value: "www.example.org"},
		},
	})
}
