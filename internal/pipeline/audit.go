package pipeline

import (
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/audit"
)

// AuditRecord is the replayable record of one decision: the input's hash
// and payload, the normalised alert, the context the score and rules saw,
// the feeds' ages and the content version, and the decision itself.
func AuditRecord(pr *Prepared, d *alert.Decision, engine, content string) audit.Record {
	asset, user := pr.Asset(), pr.User()
	var feeds []audit.Feed
	seen := map[string]bool{}
	for _, o := range d.Observables {
		for _, f := range o.Findings {
			if f.AsOf != nil && !seen[f.Source] {
				seen[f.Source] = true
				feeds = append(feeds, audit.Feed{Source: f.Source, AsOf: *f.AsOf})
			}
		}
	}
	slices.SortFunc(feeds, func(a, b audit.Feed) int { return strings.Compare(a.Source, b.Source) })
	return audit.Record{Tenant: d.Tenant, Payload: &audit.Decision{
		InputHash: audit.InputHash(pr.Alert.Raw),
		Alert:     pr.Alert,
		Context: audit.Context{
			Asset:     audit.Asset{Name: asset.Name, Criticality: asset.Criticality, Tags: asset.Tags},
			User:      audit.User{Name: user.Name, VIP: user.VIP, Role: user.Role},
			OffHours:  pr.OffHours(),
			LocalTime: pr.LocalTime(),
			Mode:      pr.Mode(),
			State:     pr.State,
		},
		Enrichment: audit.Enrichment{At: time.Now().UTC(), Feeds: feeds},
		Versions:   audit.Versions{Engine: engine, Content: content},
		Category:   pr.Category,
		RuleErrors: pr.RuleErrors,
		Decision:   *d,
	}}
}
