package audit

import (
	"context"
	"fmt"
)

// pageSize is how many entries Verify and Export read per Log call.
const pageSize = 1024

// Report is the outcome of a verification.
type Report struct {
	// Records is how many entries the log holds (all of them are read, even
	// after a break, so the count is the log's).
	Records int `json:"records"`
	// FirstBroken is the Seq of the first entry, in log order, that fails a
	// check; 0 when the chain is intact.
	FirstBroken int64 `json:"first_broken"`
	// Reason says what failed at FirstBroken; "" when intact.
	Reason string `json:"reason,omitempty"`
	// Head is the last entry of the log: keep it outside the log (an
	// Anchor) so that a later truncation or rewrite is detected.
	Head Anchor `json:"head"`
}

// Intact reports whether no check failed.
func (r Report) Intact() bool { return r.FirstBroken == 0 && r.Reason == "" }

// Verify reads the whole log in Seq order and checks, for every entry, that
// its Seq follows the previous one by one (starting at 1), that its PrevHash
// is the previous Hash (ZeroHash for the first), that its kind is known and
// its payload canonical JSON, and that its Hash is the hash of its content.
// It names the first entry that fails. An error is returned only when the
// log cannot be read; a broken chain is a Report, not an error.
//
// Verify cannot see that entries were cut off the end of the log, nor that
// the whole log was rewritten with fresh hashes: compare with anchors kept
// elsewhere (VerifyAnchors).
func Verify(ctx context.Context, log Log) (Report, error) {
	return VerifyAnchors(ctx, log)
}

// VerifyAnchors is Verify that also checks the chain against anchors taken
// earlier (a Report.Head, the hash of the last exported line): each anchored
// Seq must still exist with the same Hash. A missing anchored entry means
// the log was truncated; a different hash means it was rewritten from there
// on. An anchor failure is reported only when the chain itself is intact up
// to that point.
func VerifyAnchors(ctx context.Context, log Log, anchors ...Anchor) (Report, error) {
	want := make(map[int64]string, len(anchors))
	for _, a := range anchors {
		want[a.Seq] = a.Hash
	}
	var (
		rep  Report
		prev = Anchor{Hash: ZeroHash}
		buf  []byte
		from int64
	)
	fail := func(seq int64, format string, args ...any) {
		if rep.FirstBroken == 0 {
			rep.FirstBroken = seq
			rep.Reason = fmt.Sprintf(format, args...)
		}
	}
	for {
		page, err := log.Entries(ctx, from, pageSize)
		if err != nil {
			return rep, fmt.Errorf("verify audit chain after seq %d: %w", from, err)
		}
		// A short page is not the end: a Log may cap the limit. Only an
		// empty page is.
		if len(page) == 0 {
			break
		}
		advanced := false
		for i := range page {
			e := &page[i]
			rep.Records++
			rep.Head = Anchor{Seq: e.Seq, Hash: e.Hash}
			if e.Seq > from {
				from = e.Seq
				advanced = true
			}
			if rep.FirstBroken != 0 {
				continue
			}
			switch {
			case e.Seq != prev.Seq+1:
				if e.Seq > prev.Seq+1 {
					fail(e.Seq, "seq %d follows seq %d: %d record(s) missing", e.Seq, prev.Seq, e.Seq-prev.Seq-1)
				} else {
					fail(e.Seq, "seq %d follows seq %d: out of order", e.Seq, prev.Seq)
				}
			case e.PrevHash != prev.Hash:
				fail(e.Seq, "prev_hash %.16s… is not the hash of seq %d (%.16s…): a record was removed, inserted or reordered", e.PrevHash, prev.Seq, prev.Hash)
			case !e.Kind.Valid():
				fail(e.Seq, "unknown kind %q", e.Kind)
			case !isCanonical(e.Payload):
				fail(e.Seq, "payload is not canonical JSON: it was edited")
			default:
				var got string
				got, buf = hashEntry(buf, e)
				if got != e.Hash {
					fail(e.Seq, "hash %.16s… does not match the content (%.16s…): the record or its hash was edited", e.Hash, got)
				}
			}
			if h, ok := want[e.Seq]; ok {
				delete(want, e.Seq)
				if h != e.Hash {
					fail(e.Seq, "hash differs from the anchor %.16s…: the log was rewritten", h)
				}
			}
			prev = Anchor{Seq: e.Seq, Hash: e.Hash}
		}

		if !advanced {
			// A Log that returns entries at or below fromSeq would loop forever.
			return rep, fmt.Errorf("verify audit chain: %w: entries returned at or below seq %d", ErrConflict, from)
		}
	}
	if len(want) > 0 && rep.FirstBroken == 0 {
		missing := int64(-1)
		for s := range want {
			if missing == -1 || s < missing {
				missing = s
			}
		}
		fail(missing, "anchored seq %d is missing (log ends at seq %d): the log was truncated", missing, rep.Head.Seq)
	}
	return rep, nil
}
