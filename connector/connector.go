package connector

import (
	"context"

	"github.com/winnow-soc/winnow/alert"
)

// Source brings alerts in. Run blocks until ctx is done or the source is
// exhausted, handing each alert to emit; when emit returns an error
// (backpressure, shutdown) Run stops and returns it. A Source never retains
// an alert after emit returns.
type Source interface {
	Run(ctx context.Context, emit func(context.Context, alert.Alert) error) error
}

// Enricher looks one observable up in one intelligence source. Enrich
// honours ctx's deadline, returns typed findings (none when the source knows
// nothing), and classifies failures with the error kinds of this package so
// that the host knows whether to retry. It must be safe for concurrent use.
type Enricher interface {
	// Name is the provider's stable identifier, used in findings and config.
	Name() string
	// Supports reports whether the enricher can look up this type.
	Supports(t alert.ObservableType) bool
	Enrich(ctx context.Context, o alert.Observable) ([]alert.Finding, error)
}

// Closer is implemented by connectors that hold resources.
type Closer interface {
	Close() error
}
