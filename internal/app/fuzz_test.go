package app

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// FuzzExtract runs 'winnow extract' on arbitrary text: it must succeed and
// print each distinct observable once, as {"type","value"} objects.
func FuzzExtract(f *testing.F) {
	seed, err := os.ReadFile(reportFile)
	if err != nil {
		f.Fatalf("read seed: %v", err)
	}
	f.Add(string(seed))
	f.Add("hxxps://a[.]b[.]com/x?y=1 10[.]0[.]0[.]1 CVE-2021-44228")
	f.Add("1.1.1.1\n1[.]1[.]1[.]1")
	f.Fuzz(func(t *testing.T, text string) {
		var out, errOut bytes.Buffer
		code := Main(context.Background(), []string{"extract", "-"}, bytes.NewReader([]byte(text)), &out, &errOut)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		seen := map[observable]bool{}
		for _, o := range parseObservables(t, out.String()) {
			if o.Type == "" || o.Value == "" {
				t.Fatalf("empty observable %+v", o)
			}
			if seen[o] {
				t.Fatalf("observable %+v printed twice", o)
			}
			seen[o] = true
		}
	})
}
