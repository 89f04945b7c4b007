package pipeline

import (
	"slices"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/classify"
	"github.com/winnow-soc/winnow/internal/correlate"
	"github.com/winnow-soc/winnow/internal/decide"
	"github.com/winnow-soc/winnow/internal/enrich"
	"github.com/winnow-soc/winnow/internal/respond"
	"github.com/winnow-soc/winnow/internal/score"
)

// conclude runs the deciding stages on a prepared alert: history (with a
// session), score, correlation (with a session), classification, business
// rules and playbooks. Without a session it is pure and concurrent-safe;
// with one it must be called in input order. What the stateful stages
// contributed is kept in p.State for the audit record.
func (e *Engine) conclude(p *Prepared, s *Session) alert.Decision {
	a := &p.Alert
	ts := p.tenant
	loc := ts.cfg.Location()
	base := e.weights.Score(&p.score)
	st := audit.State{OnlineNotes: p.online.Notes, OnlineMissing: p.online.Missing}
	if s != nil {
		ha := s.history.Assess(a, p.Observables, loc)
		st.HistoryFactors, st.HistorySummary = ha.Factors, ha.Summary

		// Correlation needs the preliminary judgement; the final one is
		// made by finalize with every factor.
		sr := addFactors(base, ha.Factors)
		cr := classify.Judge(ts.policy, &classify.Input{Score: sr, Alert: a, Observables: p.Observables, Asset: p.score.Asset, User: p.score.User})
		res := s.corr.Add(correlate.Event{Alert: a, Observables: p.Observables, Techniques: p.Techniques,
			Score: sr.Score, Disposition: cr.Disposition, Verdict: cr.Verdict})
		st.CorrelationFactors = res.Factors
		if len(res.Factors) > 0 {
			sr = addFactors(sr, res.Factors)
			cr = classify.Judge(ts.policy, &classify.Input{Score: sr, Alert: a, Observables: p.Observables, Asset: p.score.Asset, User: p.score.User})
		}
		upd := s.corr.Update(a.Tenant, a.ID, sr.Score, cr.Disposition, cr.Verdict)
		inc := res.Incident
		if upd.Incident != nil {
			inc = upd.Incident
		}
		if inc != nil {
			st.Incident = &audit.IncidentState{ID: inc.ID, Kinds: inc.Kinds, Size: len(inc.Alerts), Score: inc.Score}
		}
		st.Burst = res.Burst || upd.Burst
		st.CorrelationReasons = append(append(st.CorrelationReasons, res.Reasons...), upd.Reasons...)
		st.Reinvestigate = append(append(st.Reinvestigate, res.Reinvestigate...), upd.Reinvestigate...)
	}
	d := e.finalize(p, base, &st)
	p.State = &st
	if s != nil {
		s.history.Record(a, p.Observables, &d, loc)
	}
	return d
}

// finalize turns the stateless score and the stateful contributions into
// the decision: classification, business rules, playbooks and reasoning. It
// is pure, so that a decision replays from its audit record.
func (e *Engine) finalize(p *Prepared, base score.Result, st *audit.State) alert.Decision {
	a := &p.Alert
	ts := p.tenant
	sr := addFactors(addFactors(base, st.HistoryFactors), st.CorrelationFactors)
	cr := classify.Classify(ts.policy, &classify.Input{Score: sr, Alert: a, Observables: p.Observables, Asset: p.score.Asset, User: p.score.User})
	var notes []string
	if st.HistorySummary != "" {
		notes = append(notes, st.HistorySummary)
	}
	notes = append(notes, st.CorrelationReasons...)

	d := decision(p, sr, cr)
	out := e.rules.Evaluate(e.ruleInput(p, &d, sr.Category, st.Incident, st.Burst))
	d.RulesFired = out.Fired
	if d.RulesFired == nil {
		d.RulesFired = []string{}
	}
	if rank(out.MinDisposition) > rank(d.Disposition) {
		d.Disposition = out.MinDisposition
		d.Verdict = verdictOf(d.Disposition)
	}
	if out.Priority != "" && out.Priority < d.Priority { // "P1" < "P2": more urgent
		d.Priority = out.Priority
	}
	d.EscalateTo, d.Notify = out.EscalateTo, out.Notify
	notes = append(notes, holdForMissingEvidence(&d, enrich.Report{Notes: st.OnlineNotes, Missing: st.OnlineMissing})...)
	p.Category, p.RuleErrors = sr.Category, out.Errors
	notes = append(notes, out.Reasons...)
	notes = append(notes, out.Errors...)

	ra := e.responseAsset(ts.cfg, a, p.score.Asset)
	d.Actions = e.playbooks.Propose(respond.Input{
		Category:    sr.Category,
		Alert:       a,
		Observables: p.Observables,
		Asset:       respond.Asset{Name: ra.Name, Criticality: ra.Criticality, Tags: ra.Tags},
		User:        respond.User{Name: p.score.User.Name, VIP: p.score.User.VIP, Role: p.score.User.Role},
		Mode:        string(ts.policy.Mode),
		Disposition: d.Disposition,
		InIncident:  st.Incident != nil,
	})
	d.Actions = mergeActions(d.Actions, out.Actions)
	if st.Incident != nil {
		id := st.Incident.ID
		d.IncidentID = &id
	}
	d.Reinvestigate = st.Reinvestigate
	d.Reasoning = reasoning(cr.Reasoning, notes, respond.Summary(string(ts.policy.Mode), d.Disposition, d.Actions))
	return d
}

// ruleInput is what the business rules see of one decided alert.
func (e *Engine) ruleInput(p *Prepared, d *alert.Decision, category string, inc *audit.IncidentState, burst bool) *decide.Input {
	in := &decide.Input{
		Alert:       decide.AlertOf(&p.Alert),
		Score:       d.Score,
		Disposition: string(d.Disposition),
		Verdict:     string(d.Verdict),
		Category:    category,
		Asset:       decide.Asset{Name: p.score.Asset.Name, Criticality: p.score.Asset.Criticality, Tags: p.score.Asset.Tags},
		User:        decide.User{Name: p.score.User.Name, VIP: p.score.User.VIP, Role: p.score.User.Role},
		Observables: decide.ObservablesOf(p.Observables),
		Incident:    ruleIncident(inc),
		Mode:        string(p.tenant.policy.Mode),
		Tenant:      p.Alert.Tenant,
		Hour:        p.Alert.Time.In(p.tenant.cfg.Location()).Hour(),
	}
	// Preventive containment isolates a host that something is happening
	// on; failed logins against it are contained by blocking their source.
	in.Incident.Burst = (in.Incident.Burst || burst) && !score.AuthFailureOnly(&p.Alert)
	for _, t := range p.Techniques {
		in.Techniques = append(in.Techniques, t.ID)
		for _, tac := range t.Tactics {
			if !slices.Contains(in.Tactics, tac) {
				in.Tactics = append(in.Tactics, tac)
			}
		}
	}
	return in
}

// ruleIncident is the incident as the rules see it: its kinds say whether
// it is a burst or a kill chain.
func ruleIncident(inc *audit.IncidentState) decide.Incident {
	if inc == nil {
		return decide.Incident{}
	}
	return decide.IncidentOf(&alert.Incident{ID: inc.ID, Kinds: inc.Kinds, Score: inc.Score, Alerts: make([]string, inc.Size)})
}

// addFactors appends factors to a score result and recomputes the total,
// keeping score == clamp(round(sum of contributions)).
func addFactors(sr score.Result, fs []alert.Factor) score.Result {
	if len(fs) == 0 {
		return sr
	}
	sr.Factors = append(slices.Clip(sr.Factors), fs...)
	sr.Score = score.Total(sr.Factors)
	return sr
}

// mergeActions appends the rules' proposals to the playbooks', dropping
// duplicates of the same type and target.
func mergeActions(base, extra []alert.Action) []alert.Action {
	if base == nil {
		base = []alert.Action{}
	}
	for _, x := range extra {
		if !slices.ContainsFunc(base, func(b alert.Action) bool { return b.Type == x.Type && b.Target == x.Target }) {
			base = append(base, x)
		}
	}
	return base
}

func reasoning(base string, notes []string, actions string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, n := range notes {
		if n == "" {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(n)
		if !strings.HasSuffix(n, ".") {
			b.WriteByte('.')
		}
	}
	if actions != "" {
		b.WriteByte(' ')
		b.WriteString(actions)
	}
	return b.String()
}

// rank orders dispositions by urgency; "" is below auto-close.
func rank(d alert.Disposition) int {
	switch d {
	case alert.AutoClose:
		return 1
	case alert.Review:
		return 2
	case alert.Investigate:
		return 3
	case alert.Escalate:
		return 4
	}
	return 0
}

func verdictOf(d alert.Disposition) alert.Verdict {
	switch d {
	case alert.Escalate, alert.Investigate:
		return alert.TruePositive
	case alert.Review:
		return alert.NeedsReview
	}
	return alert.FalsePositive
}

// holdForMissingEvidence names each online provider's missing evidence and
// keeps an alert from being auto-closed when a configured provider failed
// for a public observable: a lookup that did not happen is no evidence of
// benignity, so the alert is held at review at most.
func holdForMissingEvidence(d *alert.Decision, rep enrich.Report) []string {
	notes := make([]string, 0, len(rep.Notes)+1)
	for _, n := range rep.Notes {
		notes = append(notes, n+".")
	}
	if rep.Missing && d.Disposition == alert.AutoClose {
		d.Disposition = alert.Review
		d.Verdict = verdictOf(alert.Review)
		notes = append(notes, "Held at review, not auto-closed: online evidence is missing.")
	}
	return notes
}
