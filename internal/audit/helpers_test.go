package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

var t0 = time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.UTC)

// rawPayload returns a deterministic vendor payload of about size bytes
// whose content depends on i.
func rawPayload(i, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"event_type":"alert","flow_id":%d,"src_ip":"10.0.%d.%d","dest_ip":"203.0.113.%d","alert":{"signature":"ET MALWARE <beacon> & \"check-in\" é","signature_id":%d},"payload_printable":"`, 1000+i, i/250%250, i%250, i%250, 2000000+i)
	for b.Len() < size-3 {
		fmt.Fprintf(&b, "GET /x%d HTTP/1.1 ", i)
	}
	b.WriteString(`"}`)
	return []byte(b.String())
}

// sampleDecision returns a decision payload for alert i of tenant whose raw
// payload is about rawSize bytes.
func sampleDecision(i int, tenant string, rawSize int) *Decision {
	raw := rawPayload(i, rawSize)
	asOf := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	at := t0.Add(time.Duration(i) * time.Second)
	id := fmt.Sprintf("alert-%04d", i)
	obs := []alert.Observable{
		{Type: alert.IPv4, Value: fmt.Sprintf("203.0.113.%d", i%250), Class: "public", Role: "dst",
			Findings: []alert.Finding{{Source: "ipsum", Reputation: alert.Malicious, Reliability: "B", Confidence: 80, Categories: []string{"scanner"}, AsOf: &asOf}}},
		{Type: alert.IPv4, Value: fmt.Sprintf("10.0.0.%d", i%250), Class: "private", Role: "src"},
	}
	incident := "inc-1"
	return &Decision{
		InputHash: InputHash(raw),
		Alert: alert.Alert{
			Tenant: tenant, Source: "suricata", ID: id, Time: at, Title: "ET MALWARE beacon",
			Severity: alert.SeverityMedium, Rule: alert.Rule{ID: "2000001", Name: "ET MALWARE beacon"},
			Entities: alert.Entities{Src: []alert.Endpoint{{IP: "10.0.0.1", Port: 51234}}, Dst: []alert.Endpoint{{IP: "203.0.113.9", Port: 443}}},
			Raw:      raw,
		},
		Context:    Context{Asset: Asset{Name: "ws-01", Criticality: "high"}, User: User{Name: "alice", Role: "user"}, LocalTime: "10:30 Europe/Paris Mon", Mode: "shadow", Prevalence: i % 7},
		Enrichment: Enrichment{At: at, Feeds: []Feed{{Source: "ipsum", AsOf: asOf, Version: "2026-11-22"}}},
		Versions:   Versions{Engine: "test", Content: "weights-2026.11.1", Policy: "default-3"},
		Category:   "malware",
		Decision: alert.Decision{
			AlertID: id, Tenant: tenant, Source: "suricata", Time: at, Title: "ET MALWARE beacon",
			Verdict: alert.TruePositive, Disposition: alert.Escalate, Severity: alert.SeverityMedium, Priority: alert.P1,
			Score: 87, Factors: []alert.Factor{{Name: "base", Contribution: 10, Detail: "base"}, {Name: "reputation", Contribution: 42.5, Detail: "ipsum B/80 malicious"}, {Name: "asset", Contribution: 1e-7, Detail: "tiny"}},
			Observables: obs,
			Techniques:  []alert.Technique{{ID: "T1071.001", Name: "Web Protocols", Tactics: []string{"command-and-control"}, Origin: "content"}},
			IncidentID:  &incident,
			Actions:     []alert.Action{{Type: "block_ip", Target: "203.0.113.9", Risk: alert.RiskHigh, RequiresApproval: true, Status: alert.ActionRecorded, Params: map[string]string{"duration": "30d", "b": "1"}}},
			Reasoning:   "malicious destination on a critical asset",
			RulesFired:  []string{"critical_asset_p1"},
		},
	}
}

// sampleRecords returns n records of every kind spread over tenants acme,
// globex and the global tenant "", at fixed times.
func sampleRecords(n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		tenant := []string{"acme", "globex", "acme"}[i%3]
		at := t0.Add(time.Duration(i) * time.Minute)
		var p Payload
		switch i % 5 {
		case 0:
			p = sampleDecision(i, tenant, 600)
		case 1:
			p = &Approval{AlertID: fmt.Sprintf("alert-%04d", i-1), DecisionSeq: int64(i), Approver: "bob", Action: alert.Action{Type: "block_ip", Target: "203.0.113.9", Risk: alert.RiskHigh, RequiresApproval: true, Status: alert.ActionPendingApproval}}
		case 2:
			p = &Feedback{AlertID: fmt.Sprintf("alert-%04d", i-2), Analyst: "carol", Verdict: alert.FalsePositive, Comment: "known scanner\n<lab>"}
		case 3:
			p = &Rejection{AlertID: fmt.Sprintf("alert-%04d", i-3), Approver: "dave", Action: alert.Action{Type: "isolate_host", Target: "ws-01", Risk: alert.RiskHigh}, Reason: "business hours"}
		case 4:
			tenant = ""
			p = &ConfigChange{Actor: "admin", Component: "weights", From: "weights-2026.11.0", To: "weights-2026.11.1", Digest: InputHash([]byte("w")), Summary: "raise reputation weight"}
		}
		recs[i] = Record{Tenant: tenant, Time: at, Payload: p}
	}
	return recs
}

// filledChain returns a memory log holding n sample records, chained.
func filledChain(t testing.TB, n int) (*Memory, *Chain) {
	t.Helper()
	log := &Memory{}
	c, err := NewChain(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendBatch(context.Background(), sampleRecords(n)); err != nil {
		t.Fatal(err)
	}
	return log, c
}
