package enrich

import (
	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/intel"
)

// Offline enriches observables from the offline intel store.
type Offline struct {
	store *intel.Store
}

// NewOffline returns an enricher over store; a nil store means no intel.
func NewOffline(store *intel.Store) *Offline {
	if store == nil {
		store = intel.Empty()
	}
	return &Offline{store: store}
}

// Enrich fills the Findings of every observable in obs, in place.
// Findings already present are kept; feed findings are appended after them.
// The organisation's own infrastructure is not looked up: an internal
// domain or a private or loopback address says nothing about the world
// outside, and public lists that happen to contain such names (a warning
// list holding example.com, RFC 1918 ranges) would only add noise.
func (o *Offline) Enrich(obs []alert.Observable) {
	for i := range obs {
		if own(&obs[i]) {
			continue
		}
		obs[i].Findings = o.store.Lookup(obs[i].Findings, obs[i])
	}
}

func own(o *alert.Observable) bool {
	switch o.Class {
	case "internal", "private", "loopback":
		return true
	}
	return false
}

// Store is the intel store behind the enricher.
func (o *Offline) Store() *intel.Store { return o.store }
