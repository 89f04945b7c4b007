package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
	"unicode/utf8"
)

// Errors of the audit package.
var (
	// ErrUnknownKind means a record's kind is none of Kinds.
	ErrUnknownKind = errors.New("unknown audit record kind")
	// ErrInvalid means a record breaks the contract (no payload, a reserved
	// or invalid tenant, a payload that does not validate). It is permanent.
	ErrInvalid = errors.New("invalid audit record")
	// ErrConflict means the Log did not keep the sequence the chain
	// assigned, or holds records the chain did not expect: another writer
	// appended. The chain reloads its head before the next append.
	ErrConflict = errors.New("audit log changed under the chain")
)

// AllTenants, given to Export, writes every tenant's records. It is reserved:
// no record may carry it as its tenant.
const AllTenants = "*"

// Record is what a caller appends: a typed payload, its tenant and its time.
type Record struct {
	// Tenant owns the record; "" is for records that concern no tenant
	// (global configuration changes).
	Tenant string
	// Time is when it happened; zero means now.
	Time    time.Time
	Payload Payload
}

// Entry is a record as chained and stored. Its JSON form is the export line.
type Entry struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	Tenant string    `json:"tenant"`
	Kind   Kind      `json:"kind"`
	// Payload is the JCS canonical JSON of the typed payload (see Decode).
	Payload json.RawMessage `json:"payload"`
	// PrevHash is the previous entry's Hash, ZeroHash for the first.
	PrevHash string `json:"prev_hash"`
	// Hash is the lowercase hex SHA-256 of PrevHash's 32 bytes followed by
	// the canonical JSON of this entry without its hash.
	Hash string `json:"hash"`
}

// Anchor is a chain position kept outside the log (in the SIEM, a ticket, a
// signed file). The log alone cannot reveal that its tail was cut off or
// that it was rewritten whole; an anchor can.
type Anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Log persists chained entries. Implementations are safe for concurrent use
// and honour ctx.
type Log interface {
	// Append stores entries in one atomic write, in order, each with the
	// Seq it carries and every field byte for byte; it fails whole, or
	// reports ErrConflict when a Seq could not be kept.
	Append(ctx context.Context, entries ...Entry) error
	// Entries returns at most limit entries of every tenant with
	// Seq > fromSeq, in Seq order.
	Entries(ctx context.Context, fromSeq int64, limit int) ([]Entry, error)
}

// TenantLog is an optional Log capability: reading one tenant's entries
// without reading the others'. Export uses it when present.
type TenantLog interface {
	TenantEntries(ctx context.Context, tenant string, fromSeq int64, limit int) ([]Entry, error)
}

// Chain appends records to a Log, hashing each onto the last. It is safe for
// concurrent use; appends are serialised. It must be the only writer of its
// Log.
type Chain struct {
	log Log
	now func() time.Time

	mu    sync.Mutex
	head  Anchor
	stale bool // an append failed: reload the head before the next one
	buf   []byte
}

// NewChain returns a Chain that appends after the last entry of log. It
// finds that entry in O(log n) reads and does not verify the chain (Verify
// does).
func NewChain(ctx context.Context, log Log) (*Chain, error) {
	c := &Chain{log: log, now: time.Now}
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Head returns the position of the last appended entry; Seq is 0 and Hash
// ZeroHash for an empty log.
func (c *Chain) Head() Anchor {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.head
}

func (c *Chain) load(ctx context.Context) error {
	last, ok, err := lastEntry(ctx, c.log)
	if err != nil {
		return fmt.Errorf("load audit head: %w", err)
	}
	c.head = Anchor{Hash: ZeroHash}
	if ok {
		c.head = Anchor{Seq: last.Seq, Hash: last.Hash}
	}
	c.stale = false
	return nil
}

// lastEntry finds the entry with the highest Seq by a galloping then binary
// search on Entries(ctx, k, 1), which is empty exactly when k >= the highest
// Seq. Gaps in the sequence do not mislead it.
func lastEntry(ctx context.Context, log Log) (Entry, bool, error) {
	probe := func(k int64) ([]Entry, error) { return log.Entries(ctx, k, 1) }
	first, err := probe(0)
	if err != nil || len(first) == 0 {
		return Entry{}, false, err
	}
	lo, hi := first[0].Seq, first[0].Seq // lo: a Seq that exists
	for step := int64(1); ; step *= 2 {
		hi = lo + step
		es, err := probe(hi)
		if err != nil {
			return Entry{}, false, err
		}
		if len(es) == 0 {
			break
		}
		lo = es[0].Seq
		if step > 1<<61 {
			return Entry{}, false, fmt.Errorf("%w: sequence numbers out of range", ErrConflict)
		}
	}
	// The highest Seq is in [lo, hi]: probe(lo) may be non-empty, probe(hi) is empty.
	for lo < hi {
		mid := lo + (hi-lo)/2
		es, err := probe(mid)
		if err != nil {
			return Entry{}, false, err
		}
		if len(es) == 0 {
			hi = mid
		} else {
			lo = es[0].Seq
			if lo > hi {
				lo = hi
			}
		}
	}
	es, err := probe(hi - 1)
	if err != nil {
		return Entry{}, false, err
	}
	if len(es) == 0 {
		return Entry{}, false, fmt.Errorf("%w: last entry vanished", ErrConflict)
	}
	return es[0], true, nil
}

// Append chains one record and stores it. It returns the stored entry.
func (c *Chain) Append(ctx context.Context, rec Record) (Entry, error) {
	es, err := c.AppendBatch(ctx, []Record{rec})
	if err != nil {
		return Entry{}, err
	}
	return es[0], nil
}

// AppendBatch chains records in order and stores them in one Log.Append, so
// one storage transaction serves the batch. Every record is validated and
// encoded before anything is stored: a bad record fails the batch with
// ErrInvalid and nothing is written.
func (c *Chain) AppendBatch(ctx context.Context, recs []Record) ([]Entry, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	encoded := make([]Encoded, len(recs))
	now := c.now().UTC()
	for i, r := range recs {
		e, err := prepare(r, now)
		if err != nil {
			return nil, fmt.Errorf("append audit record %d: %w", i, err)
		}
		encoded[i] = Encoded{e: e}
	}
	return c.AppendEncoded(ctx, encoded)
}

// Encoded is a record validated and encoded to canonical JSON, ready to be
// chained. Encoding is most of the cost of an append and needs no order, so
// the pipeline may Encode on every core and leave only hashing to the
// sequential stage (AppendEncoded).
type Encoded struct {
	e Entry
}

// Encode validates and encodes r. It is pure and safe for concurrent use; a
// zero r.Time becomes the current time.
func Encode(r Record) (Encoded, error) {
	e, err := prepare(r, time.Now().UTC())
	if err != nil {
		return Encoded{}, fmt.Errorf("encode audit record: %w", err)
	}
	return Encoded{e: e}, nil
}

// AppendEncoded chains encoded records in order and stores them in one
// Log.Append. A zero Encoded is refused with ErrInvalid.
func (c *Chain) AppendEncoded(ctx context.Context, recs []Encoded) ([]Entry, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	entries := make([]Entry, len(recs))
	for i, r := range recs {
		if r.e.Kind == "" {
			return nil, fmt.Errorf("append audit record %d: %w: not made by Encode", i, ErrInvalid)
		}
		entries[i] = r.e
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stale {
		if err := c.load(ctx); err != nil {
			return nil, err
		}
	}
	head := c.head
	for i := range entries {
		e := &entries[i]
		e.Seq = head.Seq + 1
		e.PrevHash = head.Hash
		e.Hash, c.buf = hashEntry(c.buf, e)
		head = Anchor{Seq: e.Seq, Hash: e.Hash}
	}
	if err := c.log.Append(ctx, entries...); err != nil {
		// The write may or may not have happened (a lost commit reply, a
		// foreign writer): re-read the head rather than guess.
		c.stale = true
		return nil, fmt.Errorf("append audit records %d-%d: %w", entries[0].Seq, head.Seq, err)
	}
	c.head = head
	return entries, nil
}

// prepare validates r and encodes its payload; Seq and hashes are left to
// the chain.
func prepare(r Record, now time.Time) (Entry, error) {
	if r.Payload == nil {
		return Entry{}, fmt.Errorf("%w: no payload", ErrInvalid)
	}
	if r.Tenant == AllTenants || !utf8.ValidString(r.Tenant) {
		return Entry{}, fmt.Errorf("%w: tenant %q is reserved or not UTF-8", ErrInvalid, r.Tenant)
	}
	if !r.Payload.Kind().Valid() {
		return Entry{}, fmt.Errorf("%w: %q", ErrUnknownKind, r.Payload.Kind())
	}
	if err := r.Payload.Validate(); err != nil {
		return Entry{}, fmt.Errorf("%w: %s: %w", ErrInvalid, r.Payload.Kind(), err)
	}
	if d, ok := r.Payload.(*Decision); ok && d.Alert.Tenant != r.Tenant {
		return Entry{}, fmt.Errorf("%w: decision for tenant %q recorded under tenant %q", ErrInvalid, d.Alert.Tenant, r.Tenant)
	}
	payload, err := Canonical(recorded(r.Payload))
	if err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	t := r.Time
	if t.IsZero() {
		t = now
	}
	// Nanosecond Unix time is what stores keep: a time outside it would
	// come back different and break its own hash.
	t = time.Unix(0, t.UnixNano()).UTC()
	return Entry{Tenant: r.Tenant, Time: t, Kind: r.Payload.Kind(), Payload: payload}, nil
}

// recorded returns the form of p that is encoded: a decision's raw vendor
// payload moves from Alert.Raw to Raw, on a copy, so its bytes survive
// canonicalisation unchanged.
func recorded(p Payload) Payload {
	d, ok := p.(*Decision)
	if !ok || d.Alert.Raw == nil {
		return p
	}
	c := *d
	if c.Raw == nil {
		c.Raw = c.Alert.Raw
	}
	c.Alert.Raw = nil
	return &c
}
