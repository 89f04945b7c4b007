package enrich

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/intel"
)

func TestOffline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ipsum.txt")
	if err := os.WriteFile(path, []byte("# IPsum\n192.42.116.17\t7\n203.0.113.9\t1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := intel.Load(context.Background(), []intel.Feed{{Name: "ipsum", Kind: intel.IPsum, Path: path, Reliability: "C"}})
	if err != nil {
		t.Fatal(err)
	}
	prior := alert.Finding{Source: "earlier", Reputation: alert.Context}
	obs := []alert.Observable{
		{Type: alert.IPv4, Value: "192.42.116.17", Findings: []alert.Finding{prior}},
		{Type: alert.IPv4, Value: "198.51.100.1"},
		{Type: alert.Domain, Value: "example.org"},
		{Type: alert.IPv4, Value: "192.42.116.17", Class: "private"}, // as if it were ours
	}
	NewOffline(store).Enrich(obs)
	if got := obs[0].Findings; len(got) != 2 || got[0].Source != "earlier" || got[1].Source != "ipsum" || got[1].Reputation != alert.Malicious {
		t.Errorf("listed IP findings = %+v, want the earlier finding then a malicious ipsum hit", got)
	}
	if len(obs[1].Findings) != 0 || len(obs[2].Findings) != 0 {
		t.Errorf("unlisted observables got findings: %+v %+v", obs[1].Findings, obs[2].Findings)
	}
	if len(obs[3].Findings) != 0 {
		t.Errorf("an internal observable was looked up in public feeds: %+v", obs[3].Findings)
	}
	// A nil store means no intel, not a crash.
	empty := []alert.Observable{{Type: alert.IPv4, Value: "192.42.116.17"}}
	NewOffline(nil).Enrich(empty)
	if len(empty[0].Findings) != 0 {
		t.Errorf("empty store produced findings: %+v", empty[0].Findings)
	}
}
