package pipeline

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputDocExample keeps docs/output.md's complete example equal to the
// scenario output it claims to show.
func TestOutputDocExample(t *testing.T) {
	root := btRoot()
	doc, err := os.ReadFile(filepath.Join(root, "docs", "output.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.LastIndex(s, "```json\n")
	j := strings.LastIndex(s, "\n```")
	if i < 0 || j <= i {
		t.Fatal("docs/output.md has no closing json example")
	}
	golden, err := os.ReadFile(filepath.Join(root, "testdata", "e2e", "ssh-bruteforce-tor", "want.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := json.Compact(&a, []byte(s[i+len("```json\n"):j])); err != nil {
		t.Fatalf("example is not JSON: %v", err)
	}
	if err := json.Compact(&b, bytes.TrimSpace(golden)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("docs/output.md's example differs from testdata/e2e/ssh-bruteforce-tor/want.jsonl: regenerate it")
	}
}
