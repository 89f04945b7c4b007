package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// FuzzRunner feeds arbitrary bytes through the whole Runner. Whatever the
// input that is not gzip, the run must end without error, account for every record as
// decided or rejected, report rejections in input order, and write exactly
// one well-formed decision per decided record.
func FuzzRunner(f *testing.F) {
	seed, err := os.ReadFile("testdata/mixed.jsonl")
	if err != nil {
		f.Fatalf("read seed: %v", err)
	}
	f.Add(seed)
	f.Add([]byte("[" + eveRecord(1) + "," + eveRecord(2) + "]"))
	f.Add([]byte(eveRecord(3)))
	f.Add([]byte(""))
	f.Add([]byte("[1, {}, ]"))
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		lastLine := 0
		r := &Runner{Engine: eng, Workers: 3, OnReject: func(rj Rejection) {
			if rj.Line < lastLine {
				t.Errorf("rejection at line %d after one at line %d", rj.Line, lastLine)
			}
			lastLine = rj.Line
		}}
		st, err := r.Run(context.Background(), []Input{{"fuzz", bytes.NewReader(in)}}, &out)
		if err != nil {
			// A gzip stream that is corrupt is an I/O error of the input,
			// the one error a run may end with here.
			if bytes.HasPrefix(in, []byte{0x1f, 0x8b}) {
				return
			}
			t.Fatalf("run: %v", err)
		}
		if st.Records != st.Decided+st.Rejected {
			t.Fatalf("stats %+v do not add up", st)
		}
		dec := json.NewDecoder(&out)
		n := 0
		for dec.More() {
			var d alert.Decision
			if err := dec.Decode(&d); err != nil {
				t.Fatalf("decision %d: %v", n, err)
			}
			var sum float64
			for _, fc := range d.Factors {
				sum += fc.Contribution
			}
			if want := int(math.Max(0, math.Min(100, math.Round(sum)))); d.Score != want {
				t.Fatalf("decision %d: score %d, factors sum to %v", n, d.Score, sum)
			}
			n++
		}
		if n != st.Decided {
			t.Fatalf("%d decisions written, stats say %d", n, st.Decided)
		}
	})
}
