package rdap

import (
	"net/http"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/connector/conformance"
)

// TestConformance runs the suite with the bootstrap served by the same
// loopback server as the RDAP answers: the bootstrap's service URLs are
// rewritten to the server's own address (taken from the request's Host), so
// the suite's host pinning holds. RDAP needs no key; the suite's secret is
// ignored.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Suite{
		Name: Name,
		New: func(t *testing.T, base, _ string, deps connector.Deps) connector.Enricher {
			cfg := &Config{BootstrapURL: base + "/iana/"}
			cfg.Defaults()
			c, err := New(cfg, deps)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		Handler: func(sc conformance.Scenario) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if name, ok := strings.CutPrefix(r.URL.Path, "/iana/"); ok {
					w.Write(loopbackBootstrap(t, name, "http://"+r.Host))
					return
				}
				switch sc {
				case conformance.ScenarioHit:
					w.Write(readTestdata(t, "domain_new.json"))
				case conformance.ScenarioMiss:
					w.WriteHeader(http.StatusNotFound)
					w.Write(readTestdata(t, "not_found.json"))
				case conformance.ScenarioUnauthorized:
					w.WriteHeader(http.StatusForbidden)
				case conformance.ScenarioRateLimited:
					w.Header().Set("Retry-After", "30")
					w.WriteHeader(http.StatusTooManyRequests)
				case conformance.ScenarioServerError:
					w.WriteHeader(http.StatusServiceUnavailable)
				default:
					w.Write([]byte("<html>not rdap</html>"))
				}
			})
		},
		Observables: map[conformance.Scenario]alert.Observable{conformance.ScenarioHit: {Type: alert.Domain, Value: "secure-login-verify-account.com"}},
	})
}
