package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// base is the time of the first sample alert; samples are one minute apart.
var base = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// openTemp opens a store on a fresh file in t.TempDir and closes it at the end.
func openTemp(tb testing.TB) (*SQLite, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "winnow.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s, path
}

var dispositions = []alert.Disposition{alert.Escalate, alert.Investigate, alert.Review, alert.AutoClose}
var verdicts = []alert.Verdict{alert.TruePositive, alert.NeedsReview, alert.NeedsReview, alert.FalsePositive}
var priorities = []alert.Priority{alert.P1, alert.P2, alert.P3, alert.P4}

// sample builds the i-th alert of tenant with a realistic decision of about
// 3 KB: factors, observables with findings, techniques, actions, reasoning.
// Alert i names host host-(i%10), user u(i%7), source IP 10.0.(i%5).1 and
// destination 203.0.113.(i%20); its disposition, verdict and priority cycle
// with i%4 and its score is i%101.
func sample(tenant string, i int) Item {
	t := base.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("suricata-%06d", i)
	a := alert.Alert{
		Tenant: tenant, Source: "suricata", ID: id, Time: t,
		Title:    fmt.Sprintf("ET POLICY suspicious outbound connection %d", i),
		Severity: alert.SeverityHigh, SourceSeverity: "2",
		Rule: alert.Rule{ID: fmt.Sprint(2010935 + i%3), Name: "ET POLICY", Category: "policy"},
		Entities: alert.Entities{
			Hosts: []alert.Host{{Name: fmt.Sprintf("HOST-%d", i%10), IP: fmt.Sprintf("10.0.%d.1", i%5)}},
			Users: []alert.User{{Name: fmt.Sprintf("u%d", i%7), Domain: "CORP"}},
			Src:   []alert.Endpoint{{IP: fmt.Sprintf("10.0.%d.1", i%5), Port: 49152 + i%1000}},
			Dst:   []alert.Endpoint{{IP: fmt.Sprintf("203.0.113.%d", i%20), Port: 443, Hostname: "evil.example.com"}},
			Files: []alert.File{{Name: "a.exe", SHA256: strings.Repeat(fmt.Sprintf("%x", i%16), 64)}},
		},
		Techniques: []string{"T1071.001"},
		Raw:        []byte(fmt.Sprintf(`{"event_type":"alert","flow_id":%d}`, i)),
	}
	asOf := t.Add(-time.Hour)
	obs := []alert.Observable{
		{Type: alert.IPv4, Value: a.Entities.Dst[0].IP, Class: "public", Role: "dst", Findings: []alert.Finding{
			{Source: "ipsum", Reputation: alert.Malicious, Reliability: "B", Confidence: 80, Categories: []string{"scanner", "botnet"}, Detail: "listed on 5 blocklists", AsOf: &asOf},
			{Source: "tor", Reputation: alert.Context, Detail: "Tor exit node", AsOf: &asOf},
		}},
		{Type: alert.Domain, Value: "evil.example.com", Role: "dst", Findings: []alert.Finding{
			{Source: "maltrail", Reputation: alert.Malicious, Reliability: "C", Family: "emotet", Detail: "malware C2 (static)", AsOf: &asOf},
		}},
		{Type: alert.IPv4, Value: a.Entities.Src[0].IP, Class: "private", Role: "src"},
		{Type: alert.HostID, Value: a.Entities.Hosts[0].Name, Findings: []alert.Finding{
			{Source: "assets", Reputation: alert.Context, Detail: "criticality high; owner finance; location Vienna"},
		}},
	}
	var factors []alert.Factor
	for k, n := range []string{"severity", "intel_malicious", "asset_criticality", "technique_tactic", "rule_history", "tor_exit", "user_privileged"} {
		factors = append(factors, alert.Factor{Name: n, Contribution: float64(k*3) + 0.5,
			Detail: fmt.Sprintf("%s: evidence from the alert and offline intel, weight %.2f for category policy", n, 0.25*float64(k+1))})
	}
	d := alert.Decision{
		AlertID: id, Tenant: tenant, Source: "suricata", Time: t, Title: a.Title,
		Verdict: verdicts[i%4], Disposition: dispositions[i%4], Severity: alert.SeverityHigh,
		Priority: priorities[i%4], Score: i % 101, Factors: factors, Observables: obs,
		Techniques: []alert.Technique{{ID: "T1071.001", Name: "Application Layer Protocol: Web Protocols", Tactics: []string{"command-and-control"}, Origin: "source"}},
		Actions: []alert.Action{
			{Type: "block_ip", Target: a.Entities.Dst[0].IP, Risk: alert.RiskHigh, RequiresApproval: true, Status: alert.ActionPendingApproval},
			{Type: "open_ticket", Target: "soc", Risk: alert.RiskLow, Status: alert.ActionProposed},
		},
		Reasoning: strings.Repeat("The destination is listed as malicious by two reliable feeds and the host is critical; ", 6),
	}
	return Item{Alert: a, Decision: d, ReceivedAt: t.Add(2 * time.Second)}
}

func samples(tenant string, from, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = sample(tenant, from+i)
	}
	return items
}

func ids(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Alert.ID
	}
	return out
}
