package attack

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/winnow-soc/winnow/internal/attack/internal/stixgen"
)

// sharedFile returns the path of a file under the shared data directory that
// sits beside the module root, failing the test (not skipping) when absent.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("go.mod not found above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("required shared file %s is missing: %v", p, err)
	}
	return p
}

// TestGeneratedUpToDate regenerates the knowledge base from the shared STIX
// bundle and requires the committed files to match; run go generate
// ./internal/attack when it fails.
func TestGeneratedUpToDate(t *testing.T) {
	bundle := sharedFile(t, "data/attack/enterprise-attack.json.gz")
	licPath := sharedFile(t, "data/attack/LICENSE.txt")
	lic, err := os.ReadFile(licPath)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got bytes.Buffer
	if err := stixgen.Generate(&got, f, string(lic)); err != nil {
		t.Fatalf("generate: %v", err)
	}
	if !bytes.Equal(got.Bytes(), attackData) {
		t.Errorf("attack_data.json is stale: run go generate ./internal/attack")
	}
	committed, err := os.ReadFile("ATTACK_LICENSE.txt")
	if err != nil {
		t.Fatalf("read ATTACK_LICENSE.txt: %v", err)
	}
	if !bytes.Equal(committed, lic) {
		t.Errorf("ATTACK_LICENSE.txt differs from %s: run go generate ./internal/attack", licPath)
	}
	if len(attackData) > 400<<10 {
		t.Errorf("attack_data.json is %d bytes, want a compact file under 400 KiB", len(attackData))
	}
}

func TestDefaultParsedOnce(t *testing.T) {
	if Default() != Default() {
		t.Errorf("Default returned two different knowledge bases")
	}
	if n := Default().TechniqueCount(); n < 600 {
		t.Errorf("TechniqueCount = %d, want the ~690 live techniques", n)
	}
}

func TestTacticsOrder(t *testing.T) {
	want := []string{
		"reconnaissance", "resource-development", "initial-access", "execution",
		"persistence", "privilege-escalation", "defense-evasion", "credential-access",
		"discovery", "lateral-movement", "collection", "command-and-control",
		"exfiltration", "impact",
	}
	kb := Default()
	var got []string
	for i, tac := range kb.Tactics() {
		got = append(got, tac.ShortName)
		if tac.Order != i {
			t.Errorf("tactic %s has Order %d, want %d", tac.ShortName, tac.Order, i)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("tactics = %v, want %v", got, want)
	}
	ca, ok := kb.Tactic("credential-access")
	if !ok || ca.ID != "TA0006" || ca.Name != "Credential Access" || ca.Order != 7 {
		t.Errorf("Tactic(credential-access) = %+v, %v", ca, ok)
	}
	if _, ok := kb.Tactic("Credential Access"); ok {
		t.Errorf("Tactic looked up by display name; want short names only")
	}
}

func TestTechniqueFacts(t *testing.T) {
	kb := Default()
	tests := []struct {
		id, wantID, name, parent string
		tactics                  []string
		hasSubs                  bool
		minGroups                int
	}{
		{id: "T1566.001", wantID: "T1566.001", name: "Spearphishing Attachment", parent: "T1566", tactics: []string{"initial-access"}, minGroups: 1},
		{id: "T1110", wantID: "T1110", name: "Brute Force", tactics: []string{"credential-access"}, hasSubs: true, minGroups: 1},
		{id: "T1059", wantID: "T1059", name: "Command and Scripting Interpreter", tactics: []string{"execution"}, hasSubs: true, minGroups: 1},
		{id: "T1190", wantID: "T1190", name: "Exploit Public-Facing Application", tactics: []string{"initial-access"}, minGroups: 1},
		{id: "T1046", wantID: "T1046", name: "Network Service Discovery", tactics: []string{"discovery"}, minGroups: 1},
		// Multi-tactic techniques list tactics in kill-chain order.
		{id: "T1078", wantID: "T1078", name: "Valid Accounts", tactics: []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}, hasSubs: true, minGroups: 1},
		// Revoked IDs that vendors still emit resolve to their replacement.
		{id: "T1086", wantID: "T1059.001", name: "PowerShell", parent: "T1059", tactics: []string{"execution"}, minGroups: 1},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, ok := kb.Technique(tt.id)
			if !ok {
				t.Fatalf("Technique(%s) not found", tt.id)
			}
			if got.ID != tt.wantID || got.Name != tt.name || got.Parent != tt.parent {
				t.Errorf("got ID %q name %q parent %q, want %q %q %q", got.ID, got.Name, got.Parent, tt.wantID, tt.name, tt.parent)
			}
			if !slices.Equal(got.Tactics, tt.tactics) {
				t.Errorf("tactics = %v, want %v", got.Tactics, tt.tactics)
			}
			if (len(got.SubTechniques) > 0) != tt.hasSubs {
				t.Errorf("sub-techniques = %v, want some: %v", got.SubTechniques, tt.hasSubs)
			}
			if got.Groups < tt.minGroups || got.Groups != len(got.GroupNames) {
				t.Errorf("Groups = %d with %d names, want >= %d and equal", got.Groups, len(got.GroupNames), tt.minGroups)
			}
			if got.GroupsRollup < got.Groups {
				t.Errorf("GroupsRollup %d < Groups %d", got.GroupsRollup, got.Groups)
			}
		})
	}
	if _, ok := kb.Technique("T9999"); ok {
		t.Errorf("Technique(T9999) found")
	}
	// Revoked techniques are not kept as live entries.
	if t1086, _ := kb.Technique("T1086"); t1086.ID == "T1086" {
		t.Errorf("revoked T1086 present as a live technique")
	}
}

func TestGroupRollup(t *testing.T) {
	kb := Default()
	if n := kb.GroupCount(); n < 150 || n > 187 {
		t.Errorf("GroupCount = %d, want the live intrusion sets (150-187)", n)
	}
	t1059, _ := kb.Technique("T1059")
	union := map[string]bool{}
	for _, g := range t1059.GroupNames {
		union[g] = true
	}
	for _, sub := range t1059.SubTechniques {
		s, ok := kb.Technique(sub)
		if !ok {
			t.Fatalf("sub-technique %s of T1059 not found", sub)
		}
		if s.Parent != "T1059" || s.GroupsRollup != s.Groups {
			t.Errorf("%s: parent %q rollup %d groups %d", sub, s.Parent, s.GroupsRollup, s.Groups)
		}
		for _, g := range s.GroupNames {
			union[g] = true
		}
	}
	if t1059.GroupsRollup != len(union) || t1059.GroupsRollup <= t1059.Groups {
		t.Errorf("T1059 rollup = %d, want %d (> direct %d)", t1059.GroupsRollup, len(union), t1059.Groups)
	}
}

func TestTechniqueReturnsCopies(t *testing.T) {
	kb := Default()
	a, _ := kb.Technique("T1078")
	a.Tactics[0] = "mutated"
	b, _ := kb.Technique("T1078")
	if b.Tactics[0] != "initial-access" {
		t.Errorf("mutating a returned Technique changed the knowledge base")
	}
}

func TestParseKBErrors(t *testing.T) {
	tests := []struct{ name, data, wantErr string }{
		{"not json", `{`, "parse knowledge base"},
		{"unknown tactic", `{"tactics":[{"id":"TA1","short":"a","name":"A"}],"techniques":[{"id":"T1000","name":"x","tactics":["b"]}]}`, `unknown tactic "b"`},
		{"orphan sub", `{"tactics":[],"techniques":[{"id":"T1000.001","name":"x","tactics":[]}]}`, "without parent"},
		{"bad group", `{"groups":["g"],"techniques":[{"id":"T1000","name":"x","tactics":[],"groups":[3]}]}`, "out of range"},
		{"dangling revoked", `{"techniques":[],"revoked":{"T1":"T2"}}`, "points to unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKB([]byte(tt.data))
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.wantErr)) {
				t.Errorf("ParseKB error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func BenchmarkDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseKB(attackData); err != nil {
			b.Fatal(err)
		}
	}
}
