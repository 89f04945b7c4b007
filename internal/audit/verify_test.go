package audit

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestVerifyTamper(t *testing.T) {
	const n = 12
	tests := []struct {
		name string
		// edit tampers with the stored entries (index i holds seq i+1).
		edit       func(es []Entry) []Entry
		wantBroken int64
		wantReason string
	}{
		{"intact", func(es []Entry) []Entry { return es }, 0, ""},
		{"payload byte edited", func(es []Entry) []Entry {
			// Flip a score digit inside the canonical payload of seq 6 (a decision).
			p := string(es[5].Payload)
			es[5].Payload = []byte(strings.Replace(p, `"score":87`, `"score":17`, 1))
			return es
		}, 6, "hash"},
		{"payload made non-canonical", func(es []Entry) []Entry {
			es[2].Payload = append([]byte(" "), es[2].Payload...)
			return es
		}, 3, "not canonical"},
		{"payload byte edited with hash recomputed", func(es []Entry) []Entry {
			es[3].Payload = []byte(strings.Replace(string(es[3].Payload), "dave", "evil", 1))
			es[3].Hash, _ = hashEntry(nil, &es[3])
			return es
		}, 5, "prev_hash"},
		{"hash edited", func(es []Entry) []Entry {
			es[7].Hash = strings.Repeat("a", 64)
			return es
		}, 8, "hash"},
		{"prev_hash edited", func(es []Entry) []Entry {
			es[4].PrevHash = es[2].Hash
			return es
		}, 5, "prev_hash"},
		{"tenant edited", func(es []Entry) []Entry {
			es[9].Tenant = "globex"
			return es
		}, 10, "hash"},
		{"time edited", func(es []Entry) []Entry {
			es[1].Time = es[1].Time.Add(1)
			return es
		}, 2, "hash"},
		{"kind edited", func(es []Entry) []Entry {
			es[2].Kind = KindApproval
			return es
		}, 3, "hash"},
		{"unknown kind", func(es []Entry) []Entry {
			es[2].Kind = "deletion"
			return es
		}, 3, "unknown kind"},
		{"record deleted", func(es []Entry) []Entry {
			return append(es[:4:4], es[5:]...)
		}, 6, "1 record(s) missing"},
		{"first record deleted", func(es []Entry) []Entry {
			return es[1:]
		}, 2, "missing"},
		{"record deleted and later seqs renumbered", func(es []Entry) []Entry {
			es = append(es[:4:4], es[5:]...)
			for i := 4; i < len(es); i++ {
				es[i].Seq--
			}
			return es
		}, 5, "prev_hash"},
		{"two records swapped in place", func(es []Entry) []Entry {
			// A store orders by seq: swapping rows means swapping contents
			// under the seq numbers.
			es[6], es[7] = es[7], es[6]
			es[6].Seq, es[7].Seq = 7, 8
			return es
		}, 7, "prev_hash"},
		{"two records swapped with their seqs", func(es []Entry) []Entry {
			es[6], es[7] = es[7], es[6]
			return es
		}, 8, "seq"},
		{"record inserted", func(es []Entry) []Entry {
			forged := es[3]
			forged.PrevHash = es[3].Hash
			forged.Seq = 5
			forged.Hash, _ = hashEntry(nil, &forged)
			out := append(es[:4:4], forged)
			for _, e := range es[4:] {
				e.Seq++
				out = append(out, e)
			}
			return out
		}, 6, "prev_hash"},
		{"tail truncated (undetectable without an anchor)", func(es []Entry) []Entry {
			return es[:9]
		}, 0, ""},
		{"all removed", func(es []Entry) []Entry { return nil }, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := filledChain(t, n)
			log.Tamper(tt.edit)
			rep, err := Verify(context.Background(), log)
			if err != nil {
				t.Fatal(err)
			}
			if rep.FirstBroken != tt.wantBroken {
				t.Fatalf("first broken = %d (%s), want %d", rep.FirstBroken, rep.Reason, tt.wantBroken)
			}
			if !strings.Contains(rep.Reason, tt.wantReason) {
				t.Errorf("reason %q does not mention %q", rep.Reason, tt.wantReason)
			}
			if (tt.wantBroken == 0) != rep.Intact() {
				t.Errorf("Intact() = %v with report %+v", rep.Intact(), rep)
			}
		})
	}
}

func TestVerifyAnchors(t *testing.T) {
	ctx := context.Background()
	log, c := filledChain(t, 12)
	early := Anchor{Seq: 5}
	es, _ := log.Entries(ctx, 4, 1)
	early.Hash = es[0].Hash
	head := c.Head()

	tests := []struct {
		name       string
		edit       func([]Entry) []Entry
		anchors    []Anchor
		wantBroken int64
		wantReason string
	}{
		{"intact with anchors", nil, []Anchor{early, head}, 0, ""},
		{"tail truncated below the head anchor", func(es []Entry) []Entry { return es[:9] }, []Anchor{early, head}, 12, "truncated"},
		{"tail truncated above the anchor", func(es []Entry) []Entry { return es[:9] }, []Anchor{early}, 0, ""},
		{"log emptied", func([]Entry) []Entry { return nil }, []Anchor{head}, 12, "truncated"},
		{"rewritten from seq 3 with fresh hashes", func(es []Entry) []Entry {
			es[2].Tenant = "globex"
			for i := 2; i < len(es); i++ {
				es[i].PrevHash = es[i-1].Hash
				es[i].Hash, _ = hashEntry(nil, &es[i])
			}
			return es
		}, []Anchor{early, head}, 5, "rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, _ := filledChain(t, 12)
			if tt.edit != nil {
				log.Tamper(tt.edit)
			}
			// A rewrite that recomputes every hash passes Verify: only the
			// anchors see it.
			if plain, _ := Verify(ctx, log); !plain.Intact() {
				t.Fatalf("plain verify already broken: %+v", plain)
			}
			rep, err := VerifyAnchors(ctx, log, tt.anchors...)
			if err != nil {
				t.Fatal(err)
			}
			if rep.FirstBroken != tt.wantBroken || !strings.Contains(rep.Reason, tt.wantReason) {
				t.Errorf("report = %+v, want first broken %d mentioning %q", rep, tt.wantBroken, tt.wantReason)
			}
		})
	}
}

// failingLog fails reads after a number of pages.
type failingLog struct {
	*Memory
	pages int
}

func (f *failingLog) Entries(ctx context.Context, from int64, limit int) ([]Entry, error) {
	if f.pages == 0 {
		return nil, errors.New("disk on fire")
	}
	f.pages--
	return f.Memory.Entries(ctx, from, limit)
}

func TestVerifyReadError(t *testing.T) {
	log, _ := filledChain(t, 3)
	_, err := Verify(context.Background(), &failingLog{Memory: log, pages: 0})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("err = %v, want the read error", err)
	}
}

// stuckLog returns the same entries whatever fromSeq is.
type stuckLog struct{ es []Entry }

func (s stuckLog) Append(context.Context, ...Entry) error { return nil }
func (s stuckLog) Entries(context.Context, int64, int) ([]Entry, error) {
	return s.es, nil
}

func TestVerifyStuckLogTerminates(t *testing.T) {
	_, err := Verify(context.Background(), stuckLog{es: []Entry{{Seq: 1}}})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}

func TestVerifyPagesBeyondOnePage(t *testing.T) {
	// More than pageSize entries, with a break on the second page.
	log, _ := filledChain(t, pageSize+50)
	log.Tamper(func(es []Entry) []Entry {
		es[pageSize+10].Hash = ZeroHash
		return es
	})
	rep, err := Verify(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != pageSize+50 || rep.FirstBroken != pageSize+11 {
		t.Errorf("report = %+v, want %d records broken at %d", rep, pageSize+50, pageSize+11)
	}
}
