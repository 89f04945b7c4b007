package connector

import (
	"fmt"
	"sort"
	"sync"
)

// EnricherFactory builds an enricher from its decoded configuration.
type EnricherFactory func(cfg map[string]any) (Enricher, error)

var registry = struct {
	sync.RWMutex
	enrichers map[string]EnricherFactory
}{enrichers: map[string]EnricherFactory{}}

// RegisterEnricher makes an enricher available under name. It is meant to be
// called from init() and panics on a duplicate name, a programming error.
func RegisterEnricher(name string, f EnricherFactory) {
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.enrichers[name]; dup {
		panic(fmt.Sprintf("connector: enricher %q registered twice", name))
	}
	registry.enrichers[name] = f
}

// LookupEnricher returns the factory registered under name.
func LookupEnricher(name string) (EnricherFactory, bool) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.enrichers[name]
	return f, ok
}

// Enrichers lists the registered enricher names in sorted order.
func Enrichers() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.enrichers))
	for n := range registry.enrichers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
