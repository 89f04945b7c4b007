package pipeline

import (
	"fmt"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/correlate"
	"github.com/winnow-soc/winnow/internal/history"
)

// Session carries the stateful stages, entity history and incident
// correlation, across one stream of alerts. It is not safe for concurrent
// use: Finish must be called in input order (time order in a backtest), and
// the same sequence always gives the same decisions.
type Session struct {
	e       *Engine
	history *history.Tracker
	corr    *correlate.Correlator
}

// NewSession starts an empty session over the engine.
func (e *Engine) NewSession() (*Session, error) {
	hw, err := history.DefaultWeights()
	if err != nil {
		return nil, fmt.Errorf("load history weights: %w", err)
	}
	corr, err := correlate.New(correlate.DefaultConfig(), nil)
	if err != nil {
		return nil, fmt.Errorf("build correlator: %w", err)
	}
	return &Session{e: e, history: history.New(history.DefaultConfig(), hw), corr: corr}, nil
}

// Finish decides a prepared alert with history and correlation, and
// records it in the session's state.
func (s *Session) Finish(p *Prepared) alert.Decision { return s.e.conclude(p, s) }

// Incidents returns the tenant's incidents as the session knows them.
func (s *Session) Incidents(tenant string) []alert.Incident { return s.corr.Incidents(tenant) }

// Feedback records an analyst's verdict on an earlier alert, so that later
// decisions learn from it.
func (s *Session) Feedback(tenant, alertID string, v alert.Verdict) {
	s.history.Feedback(tenant, alertID, v)
	s.corr.Feedback(tenant, alertID, v)
}

// Replay feeds an already decided alert into the session's state without
// deciding it again: a restarted engine replays its stored recent history
// (oldest first) so that baselines and incidents carry over.
func (s *Session) Replay(a *alert.Alert, d *alert.Decision) {
	ts, ok := s.e.tenants[a.Tenant]
	if !ok {
		return
	}
	loc := ts.cfg.Location()
	s.corr.Add(correlate.Event{Alert: a, Observables: d.Observables, Techniques: d.Techniques,
		Score: d.Score, Disposition: d.Disposition, Verdict: d.Verdict})
	s.history.Record(a, d.Observables, d, loc)
}
