package pipeline

import (
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/score"
)

// criticalityRank orders asset criticalities; unknown is 0.
func criticalityRank(c string) int {
	switch c {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}

// assetContext returns the most critical inventory asset the alert touches:
// its hosts, then its destination and source endpoints, then any internal
// IP observable.
func (e *Engine) assetContext(t *config.Tenant, a *alert.Alert, obs []alert.Observable) score.AssetContext {
	var best config.Asset
	found := false
	consider := func(key string) {
		if key == "" {
			return
		}
		as, ok := t.Asset(key)
		if !ok {
			return
		}
		if !found || criticalityRank(as.Criticality) > criticalityRank(best.Criticality) {
			best, found = as, true
		}
	}
	for _, h := range a.Entities.Hosts {
		consider(h.Name)
		consider(h.IP)
	}
	for _, ep := range a.Entities.Dst {
		consider(ep.Hostname)
		consider(ep.IP)
	}
	for _, ep := range a.Entities.Src {
		consider(ep.Hostname)
		consider(ep.IP)
	}
	for _, o := range obs {
		if (o.Type == alert.IPv4 || o.Type == alert.IPv6) && o.Class == "private" {
			consider(o.Value)
		}
	}
	if !found {
		best, found = recipientWorkstation(t, a)
	}
	if !found {
		return score.AssetContext{}
	}
	return score.AssetContext{Name: best.Name, Criticality: best.Criticality, Tags: best.Tags}
}

// responseAsset is the asset that containment acts on: the most critical
// inventory asset among the alert's own hosts and source endpoints, since
// an attack is stopped where it comes from or runs, never by cutting off a
// server it merely reached; only when neither is in the inventory (an
// inbound attack from outside) does it fall back to the scoring asset.
func (e *Engine) responseAsset(t *config.Tenant, a *alert.Alert, scoring score.AssetContext) score.AssetContext {
	var best config.Asset
	found := false
	consider := func(key string) {
		if key == "" {
			return
		}
		if as, ok := t.Asset(key); ok && (!found || criticalityRank(as.Criticality) > criticalityRank(best.Criticality)) {
			best, found = as, true
		}
	}
	for _, h := range a.Entities.Hosts {
		consider(h.Name)
		consider(h.IP)
	}
	for _, ep := range a.Entities.Src {
		consider(ep.Hostname)
		consider(ep.IP)
	}
	if !found {
		return scoring
	}
	return score.AssetContext{Name: best.Name, Criticality: best.Criticality, Tags: best.Tags}
}

// recipientWorkstation finds, for an email alert that names no known host,
// the machine the message would be opened on: the most critical inventory
// asset tagged workstation or laptop whose owner is a recipient's identity
// (an inventory asset's owner may name its primary user, not only a team).
// Servers and shared machines are never chosen, however they are owned.
func recipientWorkstation(t *config.Tenant, a *alert.Alert) (config.Asset, bool) {
	if a.Entities.Email == nil {
		return config.Asset{}, false
	}
	var best config.Asset
	found := false
	for _, to := range a.Entities.Email.To {
		id, ok := t.Identity(to)
		if !ok {
			continue
		}
		for _, as := range t.Assets {
			if !strings.EqualFold(as.Owner, id.User) || !slices.ContainsFunc(as.Tags, isPersonalMachine) {
				continue
			}
			if !found || criticalityRank(as.Criticality) > criticalityRank(best.Criticality) {
				best, found = as, true
			}
		}
	}
	return best, found
}

func isPersonalMachine(tag string) bool {
	return strings.EqualFold(tag, "workstation") || strings.EqualFold(tag, "laptop")
}

// userContext returns the most sensitive known identity among the alert's
// users and email recipients. The account targeted by a failed-
// authentication-only attempt (score.AuthFailureOnly) is not involved: it
// was not compromised, so it lends the alert no privilege or VIP weight.
func (e *Engine) userContext(t *config.Tenant, a *alert.Alert) score.UserContext {
	if score.AuthFailureOnly(a) {
		return score.UserContext{}
	}
	var best score.UserContext
	bestRank := -1
	consider := func(name string) {
		if name == "" {
			return
		}
		id, ok := t.Identity(name)
		if !ok {
			return
		}
		r := identityRank(id)
		if r > bestRank {
			bestRank = r
			best = score.UserContext{Name: id.User, VIP: id.VIP, Role: id.Role}
		}
	}
	for _, u := range a.Entities.Users {
		consider(u.Name)
	}
	if a.Entities.Email != nil {
		for _, to := range a.Entities.Email.To {
			consider(to)
		}
	}
	return best
}

func identityRank(id config.Identity) int {
	r := 0
	switch id.Role {
	case "service":
		r = 1
	case "admin", "executive":
		r = 2
	}
	if id.VIP {
		r += 3
	}
	return r
}
