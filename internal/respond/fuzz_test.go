package respond

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/winnow-soc/winnow/content"
)

// FuzzLoad feeds one playbook file to Load: it must load or fail, never
// panic, and a loaded playbook must propose for the reference cases
// without panicking and within the cap.
func FuzzLoad(f *testing.F) {
	shippedFiles, _ := filepath.Glob(filepath.Join("..", "..", "content", "playbooks", "*.yaml"))
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, name := range append(shippedFiles, invalid...) {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	if src, err := content.FS.ReadFile("playbooks/phishing.yaml"); err == nil {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Load(fstest.MapFS{"pb.yaml": {Data: src}})
		if err != nil {
			return
		}
		for _, in := range []Input{phishingCFO, sshBruteForce, lateralToDC} {
			for _, cat := range append(p.Categories(), in.Category) {
				in.Category = cat
				if got := p.Propose(in); len(got) > MaxActions {
					t.Fatalf("%d actions, over the cap", len(got))
				}
			}
		}
	})
}
