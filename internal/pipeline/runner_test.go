package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/normalize"
)

// testEngine is an engine on the built-in configuration without intel.
func testEngine(t testing.TB) *Engine {
	t.Helper()
	eng, err := New(context.Background(), config.Default(), Options{Intel: intel.Empty()})
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	return eng
}

// eveRecord is a distinct Suricata EVE alert for each i, so that every
// decision names its record (signature, IPs, severity and time vary).
func eveRecord(i int) string {
	return fmt.Sprintf(`{"timestamp":"2026-03-%02dT%02d:%02d:00.000000+0000","flow_id":%d,"event_type":"alert",`+
		`"src_ip":"203.0.%d.%d","src_port":%d,"dest_ip":"10.0.%d.%d","dest_port":%d,"proto":"TCP",`+
		`"alert":{"action":"allowed","gid":1,"signature_id":%d,"rev":1,"signature":"ET TEST record %d","category":"Misc activity","severity":%d}}`,
		1+i%28, i%24, i%60, 1000+i, (i/250)%250, 1+i%250, 1024+i%60000, i%250, 1+i%250, 1+i%1024,
		2000000+i, i, 1+i%3)
}

// reference decides records one by one on the calling goroutine: the output
// a Runner must reproduce whatever its parallelism.
func reference(t *testing.T, eng *Engine, recs []string) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i, r := range recs {
		a, err := normalize.Normalize("auto", []byte(r))
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		d, err := eng.Decide(&a)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if err := enc.Encode(&d); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

func records(n int) []string {
	recs := make([]string, n)
	for i := range recs {
		recs[i] = eveRecord(i)
	}
	return recs
}

func ndjson(recs []string) string { return strings.Join(recs, "\n") + "\n" }

func TestRunnerPreservesOrder(t *testing.T) {
	eng := testEngine(t)
	recs := records(3*batchSize + 17)
	want := reference(t, eng, recs)
	if strings.Count(want, "\n") != len(recs) {
		t.Fatalf("reference has %d lines for %d records", strings.Count(want, "\n"), len(recs))
	}
	// Split across inputs at points that do not fall on batch boundaries.
	cut1, cut2 := 100, 2*batchSize+3
	tests := []struct {
		name    string
		workers int
		inputs  []Input
	}{
		{"one worker", 1, []Input{{"a", strings.NewReader(ndjson(recs))}}},
		{"many workers", 16, []Input{{"a", strings.NewReader(ndjson(recs))}}},
		{"default workers", 0, []Input{{"a", strings.NewReader(ndjson(recs))}}},
		{"three inputs", 7, []Input{
			{"a", strings.NewReader(ndjson(recs[:cut1]))},
			{"b", strings.NewReader(ndjson(recs[cut1:cut2]))},
			{"c", strings.NewReader("[" + strings.Join(recs[cut2:], ",\n") + "]")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := &Runner{Engine: eng, Workers: tt.workers}
			st, err := r.Run(context.Background(), tt.inputs, &out)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if st != (Stats{Records: len(recs), Decided: len(recs)}) {
				t.Errorf("stats = %+v, want %d records all decided", st, len(recs))
			}
			if out.String() != want {
				t.Error("output differs from the sequential reference")
			}
		})
	}
}

func TestRunnerRejectionsInOrder(t *testing.T) {
	eng := testEngine(t)
	var in strings.Builder
	var good []string
	var wantRej []string
	line := 0
	for i := range 2*batchSize + 50 {
		line++
		switch {
		case i%97 == 5:
			in.WriteString(`{"event_type":"alert","src_ip":` + "\n")
			wantRej = append(wantRej, fmt.Sprintf("in.jsonl:%d: ", line))
		case i%131 == 7:
			in.WriteString(`{"neither":"wazuh nor suricata"}` + "\n")
			wantRej = append(wantRej, fmt.Sprintf("in.jsonl:%d: unknown alert format", line))
		case i%113 == 9:
			in.WriteString("42\n")
			wantRej = append(wantRej, fmt.Sprintf("in.jsonl:%d: record is not a JSON object", line))
		default:
			rec := eveRecord(i)
			good = append(good, rec)
			in.WriteString(rec + "\n")
		}
	}
	var got []string
	var out bytes.Buffer
	r := &Runner{Engine: eng, Workers: 5, OnReject: func(rj Rejection) {
		if rj.Err == nil {
			t.Errorf("rejection %s has no error", rj)
		}
		got = append(got, rj.String())
	}}
	st, err := r.Run(context.Background(), []Input{{"in.jsonl", strings.NewReader(in.String())}}, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(got) != len(wantRej) {
		t.Fatalf("got %d rejections, want %d:\n%s", len(got), len(wantRej), strings.Join(got, "\n"))
	}
	for i := range wantRej {
		if !strings.HasPrefix(got[i], wantRej[i]) {
			t.Errorf("rejection %d = %q, want prefix %q", i, got[i], wantRej[i])
		}
	}
	want := Stats{Records: line, Decided: len(good), Rejected: len(wantRej)}
	if st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if out.String() != reference(t, eng, good) {
		t.Error("decisions of the good records differ from the sequential reference")
	}
}

func TestRunnerTenant(t *testing.T) {
	eng := testEngine(t)
	recs := records(3)
	tests := []struct {
		name     string
		tenant   string
		decided  int
		rejected int
	}{
		{"default tenant", "", 3, 0},
		{"known tenant", config.DefaultTenantID, 3, 0},
		{"unknown tenant rejects every record", "initech", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rejs []Rejection
			var out bytes.Buffer
			r := &Runner{Engine: eng, Tenant: tt.tenant, OnReject: func(rj Rejection) { rejs = append(rejs, rj) }}
			st, err := r.Run(context.Background(), []Input{{"x", strings.NewReader(ndjson(recs))}}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Decided != tt.decided || st.Rejected != tt.rejected || strings.Count(out.String(), "\n") != tt.decided {
				t.Errorf("stats %+v with %d lines, want %d decided and %d rejected", st, strings.Count(out.String(), "\n"), tt.decided, tt.rejected)
			}
			for i, rj := range rejs {
				if rj.Line != i+1 || !strings.Contains(rj.Err.Error(), `unknown tenant "initech"`) {
					t.Errorf("rejection %d = %s", i, rj)
				}
			}
		})
	}
}

func TestRunnerFormat(t *testing.T) {
	eng := testEngine(t)
	var out bytes.Buffer
	var rejs []Rejection
	r := &Runner{Engine: eng, Format: "wazuh", OnReject: func(rj Rejection) { rejs = append(rejs, rj) }}
	st, err := r.Run(context.Background(), []Input{{"x", strings.NewReader(ndjson(records(2)))}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Rejected != 2 || out.Len() != 0 || len(rejs) != 2 || !strings.Contains(rejs[0].Err.Error(), "wazuh") {
		t.Errorf("suricata records forced through wazuh: stats %+v, output %q, rejections %v", st, out.String(), rejs)
	}
}

// endless yields Suricata records forever, so only cancellation ends a run.
type endless struct {
	n   int
	buf []byte
}

func (e *endless) Read(p []byte) (int, error) {
	for len(e.buf) < len(p) {
		e.buf = append(e.buf, eveRecord(e.n)...)
		e.buf = append(e.buf, '\n')
		e.n++
	}
	n := copy(p, e.buf)
	e.buf = e.buf[n:]
	return n, nil
}

// failWriter accepts ok writes, then fails every write.
type failWriter struct {
	mu     sync.Mutex
	ok     int
	writes int
	buf    bytes.Buffer
}

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	if w.writes > w.ok {
		return 0, errDiskFull
	}
	return w.buf.Write(p)
}

func TestRunnerWriteErrorStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	eng := testEngine(t)
	for _, ok := range []int{0, 2} {
		t.Run(fmt.Sprintf("after %d writes", ok), func(t *testing.T) {
			w := &failWriter{ok: ok}
			r := &Runner{Engine: eng, Workers: 4}
			st, err := r.Run(context.Background(), []Input{{"endless", &endless{}}}, w)
			if !errors.Is(err, errDiskFull) {
				t.Fatalf("run error = %v, want %v", err, errDiskFull)
			}
			if !strings.Contains(err.Error(), "write decisions") {
				t.Errorf("error %q does not name the operation", err)
			}
			// The decisions written before the failure are whole batches.
			if got := strings.Count(w.buf.String(), "\n"); got != ok*batchSize {
				t.Errorf("%d decisions written before the failure, want %d", got, ok*batchSize)
			}
			if st.Records < ok*batchSize {
				t.Errorf("stats %+v count fewer records than were written", st)
			}
		})
	}
}

// cancelWriter cancels the run's context once it has seen n writes.
type cancelWriter struct {
	n      int
	cancel context.CancelFunc
	lines  int
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	if w.n--; w.n == 0 {
		w.cancel()
	}
	return len(p), nil
}

func TestRunnerCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	eng := testEngine(t)
	t.Run("during run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		w := &cancelWriter{n: 3, cancel: cancel}
		r := &Runner{Engine: eng, Workers: 4}
		st, err := r.Run(ctx, []Input{{"endless", &endless{}}}, w)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run error = %v, want context.Canceled", err)
		}
		if w.lines < 3*batchSize || st.Decided < w.lines {
			t.Errorf("wrote %d decisions, stats %+v; want at least the batches before the cancel", w.lines, st)
		}
	})
	t.Run("before run", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out bytes.Buffer
		r := &Runner{Engine: eng, Workers: 2}
		_, err := r.Run(ctx, []Input{{"endless", &endless{}}}, &out)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run error = %v, want context.Canceled", err)
		}
	})
}

func TestRunnerReadError(t *testing.T) {
	defer goleak.VerifyNone(t)
	eng := testEngine(t)
	// The second input fails after 3 batches of records (well past any
	// read-ahead the framing does), the third is never started.
	recs := records(2 + 3*batchSize)
	first, second := recs[:2], recs[2:]
	broken := io.MultiReader(strings.NewReader(ndjson(second)), &errReader{errors.New("device gone")})
	var out bytes.Buffer
	r := &Runner{Engine: eng, Workers: 2}
	_, err := r.Run(context.Background(), []Input{{"first", strings.NewReader(ndjson(first))}, {"second", broken}, {"third", strings.NewReader(ndjson(records(2)))}}, &out)
	if err == nil || !strings.Contains(err.Error(), "read second") || !strings.Contains(err.Error(), "device gone") {
		t.Fatalf("run error = %v, want the read error of input second", err)
	}
	// What was framed before the failure is still decided and written, in
	// order: the output is a prefix of the decisions of first and second
	// that holds at least first and one batch of second.
	want := reference(t, eng, recs)
	got := out.String()
	if !strings.HasPrefix(want, got) {
		t.Fatal("output is not a prefix of the decisions of the records read")
	}
	if n := strings.Count(got, "\n"); n < len(first)+batchSize {
		t.Errorf("%d decisions written, want at least %d read before the error", n, len(first)+batchSize)
	}
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

func TestRejectionString(t *testing.T) {
	rj := Rejection{File: "alerts.jsonl", Line: 12, Err: errors.New("invalid JSON")}
	if got, want := rj.String(), "alerts.jsonl:12: invalid JSON"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestRunnerMixedFixture(t *testing.T) {
	f, err := os.Open("testdata/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	var out bytes.Buffer
	r := &Runner{Engine: testEngine(t), OnReject: func(rj Rejection) { got = append(got, rj.String()) }}
	st, err := r.Run(context.Background(), []Input{{"mixed.jsonl", f}}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"mixed.jsonl:4: unexpected end of input",
		"mixed.jsonl:5: unknown alert format",
		"mixed.jsonl:6: record is not a JSON object",
	}
	if st != (Stats{Records: 6, Decided: 3, Rejected: 3}) || len(got) != len(want) {
		t.Fatalf("stats %+v, rejections %q", st, got)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("rejection %d = %q, want prefix %q", i, got[i], want[i])
		}
	}
	var sources []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var d struct{ Source string }
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, d.Source)
	}
	if strings.Join(sources, ",") != "suricata,suricata,wazuh" {
		t.Errorf("decision sources %v, want suricata, suricata, wazuh in input order", sources)
	}
}
