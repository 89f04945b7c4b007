package score

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// sharedFile returns the path of a file under the shared data directory,
// ../shared/data relative to the module root, failing the test (not
// skipping it) when the file is missing.
func sharedFile(t *testing.T, rel string) string {
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
	path := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("required shared file %s is missing: %v", path, err)
	}
	return path
}

// TestAttackStageOrderMatchesATTACK checks that the attack_stage table in
// weights.yaml lists the ATT&CK Enterprise tactics in the matrix's own
// kill-chain order, so TacticOrder indexes the right weight.
func TestAttackStageOrderMatchesATTACK(t *testing.T) {
	path := sharedFile(t, filepath.Join("attack", "enterprise-attack.json.gz"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	var bundle struct {
		Objects []struct {
			Type       string   `json:"type"`
			ID         string   `json:"id"`
			ShortName  string   `json:"x_mitre_shortname"`
			TacticRefs []string `json:"tactic_refs"`
			Revoked    bool     `json:"revoked"`
			Deprecated bool     `json:"x_mitre_deprecated"`
		} `json:"objects"`
	}
	if err := json.NewDecoder(zr).Decode(&bundle); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	short := map[string]string{}
	var refs []string
	for _, o := range bundle.Objects {
		switch {
		case o.Revoked || o.Deprecated:
		case o.Type == "x-mitre-tactic":
			short[o.ID] = o.ShortName
		case o.Type == "x-mitre-matrix":
			refs = o.TacticRefs
		}
	}
	var want []string
	for _, r := range refs {
		want = append(want, short[r])
	}
	var got []string
	for _, s := range mustWeights(t).stages {
		got = append(got, s.tactic)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("attack_stage tactics %v, want the ATT&CK matrix order %v", got, want)
	}
}
