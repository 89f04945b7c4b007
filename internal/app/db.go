package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/pipeline"
	"github.com/winnow-soc/winnow/internal/store"
)

// historyWindow is how far back a restarted engine replays stored alerts.
const historyWindow = 30 * 24 * time.Hour

// persistence writes a triage run's decisions and incidents to a store.
type persistence struct {
	st store.Store
	w  *store.Writer
}

func openPersistence(ctx context.Context, path string) (*persistence, error) {
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &persistence{st: st, w: store.NewWriter(st, 512, 200*time.Millisecond)}, nil
}

// replay feeds every tenant's stored alerts of the last 30 days (before the
// newest stored one) into the session, oldest first.
func (p *persistence) replay(ctx context.Context, cfg *config.Config, sess *pipeline.Session) (int, error) {
	n := 0
	for _, t := range cfg.Tenants {
		var recs []store.Record
		q := store.Query{Tenant: t.ID, Limit: store.MaxLimit}
		for {
			page, err := p.st.Alerts(ctx, q)
			if err != nil {
				return n, fmt.Errorf("read stored alerts of %s: %w", t.ID, err)
			}
			recs = append(recs, page...)
			if len(page) < q.Limit {
				break
			}
			last := page[len(page)-1]
			if len(recs) > 0 && recs[0].Time.Sub(last.Time) > historyWindow {
				break
			}
			q.After = last.Cursor()
		}
		if len(recs) == 0 {
			continue
		}
		newest := recs[0].Time
		slices.Reverse(recs) // the store lists newest first
		for i := range recs {
			r := &recs[i]
			if newest.Sub(r.Time) > historyWindow {
				continue
			}
			sess.Replay(&r.Alert, &r.Decision)
			n++
		}
	}
	return n, nil
}

// add queues one decided alert.
func (p *persistence) add(ctx context.Context, a *alert.Alert, d *alert.Decision) error {
	return p.w.Add(ctx, store.Item{Alert: *a, Decision: *d})
}

// close flushes the queued decisions, then saves the session's incidents.
func (p *persistence) close(ctx context.Context, cfg *config.Config, sess *pipeline.Session) error {
	err := p.w.Close(ctx)
	if err == nil {
		for _, t := range cfg.Tenants {
			for _, inc := range sess.Incidents(t.ID) {
				if err = p.st.PutIncident(ctx, storeIncident(inc)); err != nil {
					break
				}
			}
		}
	}
	if cerr := p.st.Close(); err == nil {
		err = cerr
	}
	return err
}

func storeIncident(inc alert.Incident) store.Incident {
	body, _ := json.Marshal(inc) // plain data: cannot fail
	sev := alert.SeverityMedium
	switch {
	case inc.Score > 75:
		sev = alert.SeverityCritical
	case inc.Score >= 50:
		sev = alert.SeverityHigh
	}
	return store.Incident{Tenant: inc.Tenant, ID: inc.ID, Title: inc.Title, Status: inc.Status, Severity: sev,
		Created: inc.First, Updated: inc.Last, AlertIDs: inc.Alerts, Body: body}
}
