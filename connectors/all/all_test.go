package all

import (
	"os"
	"slices"
	"testing"

	"github.com/winnow-soc/winnow/connector"
)

// TestEveryConnectorRegisters checks that each package under connectors/
// is imported here and registered an enricher under its folder's name.
func TestEveryConnectorRegisters(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	registered := connector.Enrichers()
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "all" {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			if !slices.Contains(registered, e.Name()) {
				t.Errorf("connectors/%s registered no enricher named %q (registered: %v); is it imported in all.go?", e.Name(), e.Name(), registered)
			}
		})
	}
}
