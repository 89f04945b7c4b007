package decide

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/winnow-soc/winnow/content"
)

// FuzzCompile feeds policy files to Compile: it must return a policy or an
// error, never panic, and a compiled policy must evaluate its own tests
// and an empty input without panicking.
func FuzzCompile(f *testing.F) {
	if src, err := content.FS.ReadFile("policies/default.yaml"); err == nil {
		f.Add(src)
	}
	f.Add([]byte(mergePolicy))
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, name := range files {
		if src, err := os.ReadFile(name); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := Compile("fuzz", src)
		if err != nil {
			return
		}
		p.RunTests()
		p.Evaluate(&Input{})
		p.Evaluate(&lateralToDC)
	})
}
