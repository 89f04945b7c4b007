package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/pipeline"
	"github.com/winnow-soc/winnow/internal/store"
)

// historyWindow is how far back a restarted engine replays stored alerts.
const historyWindow = 30 * 24 * time.Hour

// auditBatch is how many audit records are chained per storage transaction.
const auditBatch = 256

// persistence writes a triage run's decisions, incidents and audit records
// to a store.
type persistence struct {
	st      *store.SQLite
	w       *store.Writer
	chain   *audit.Chain
	pending []audit.Record
	content string // weights/content version for the audit records
	closed  bool
}

// abandon closes the store without flushing, for a run that stops before
// deciding anything; it does nothing after close.
func (p *persistence) abandon() {
	if !p.closed {
		p.closed = true
		p.w.Close(context.Background()) // nothing queued yet: stops its goroutine
		p.st.Close()
	}
}

func openPersistence(ctx context.Context, path string) (*persistence, error) {
	st, err := store.OpenSQLite(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	chain, err := audit.NewChain(ctx, audit.NewStoreLog(st))
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open audit chain in %s: %w", path, err)
	}
	return &persistence{st: st, w: store.NewWriter(st, 512, 200*time.Millisecond), chain: chain}, nil
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

// add queues one decided alert and its audit record.
func (p *persistence) add(ctx context.Context, pr *pipeline.Prepared, d *alert.Decision) error {
	if err := p.w.Add(ctx, store.Item{Alert: pr.Alert, Decision: *d}); err != nil {
		return err
	}
	p.pending = append(p.pending, pipeline.AuditRecord(pr, d, Version, p.content))
	if len(p.pending) >= auditBatch {
		return p.flushAudit(ctx)
	}
	return nil
}

func (p *persistence) flushAudit(ctx context.Context) error {
	if len(p.pending) == 0 {
		return nil
	}
	_, err := p.chain.AppendBatch(ctx, p.pending)
	p.pending = p.pending[:0]
	if err != nil {
		return fmt.Errorf("append audit records: %w", err)
	}
	return nil
}

// close flushes the queued decisions and audit records, then saves the
// session's incidents.
func (p *persistence) close(ctx context.Context, cfg *config.Config, sess *pipeline.Session) error {
	p.closed = true
	err := p.w.Close(ctx)
	if aerr := p.flushAudit(ctx); err == nil {
		err = aerr
	}
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
