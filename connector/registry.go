package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
)

// Config is implemented by a connector's typed configuration (through a
// pointer): Defaults fills what the operator left out, Validate reports
// every problem at once (errors.Join) and does no I/O.
type Config interface {
	Defaults()
	Validate() error
}

// Deps are what the host hands a connector. The HTTP client is the host's:
// it enforces timeouts and never follows a redirect to another host, so a
// connector only ever talks to its configured endpoint.
type Deps struct {
	HTTP   *http.Client
	Logger *slog.Logger
}

// EnricherFactory builds an enricher from its raw configuration block (the
// connector's section of the Winnow config, as JSON).
type EnricherFactory func(raw json.RawMessage, deps Deps) (Enricher, error)

var registry = struct {
	sync.RWMutex
	enrichers map[string]EnricherFactory
}{enrichers: map[string]EnricherFactory{}}

// RegisterEnricher makes an enricher available under name with a typed
// configuration C. The host decodes the connector's configuration block
// strictly into C (unknown fields are errors), applies Defaults, runs
// Validate, then calls build. It is meant to be called from init() and
// panics on a duplicate name, a programming error.
func RegisterEnricher[C any, PC interface {
	*C
	Config
}](name string, build func(cfg *C, deps Deps) (Enricher, error)) {
	registerEnricher(name, func(raw json.RawMessage, deps Deps) (Enricher, error) {
		cfg, err := DecodeConfig[C, PC](raw)
		if err != nil {
			return nil, fmt.Errorf("enricher %s: %w", name, err)
		}
		return build(cfg, deps)
	})
}

// DecodeConfig decodes a configuration block strictly into C, applies its
// defaults and validates it.
func DecodeConfig[C any, PC interface {
	*C
	Config
}](raw json.RawMessage) (*C, error) {
	cfg := new(C)
	if len(bytes.TrimSpace(raw)) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(cfg); err != nil {
			return nil, fmt.Errorf("decode configuration: %w", err)
		}
	}
	PC(cfg).Defaults()
	if err := PC(cfg).Validate(); err != nil {
		return nil, errors.Join(errors.New("invalid configuration"), err)
	}
	return cfg, nil
}

func registerEnricher(name string, f EnricherFactory) {
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
