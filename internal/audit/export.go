package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// Export writes the entries of tenant as JSON lines, one entry per line in
// Seq order, for a SIEM. Each line is the JCS canonical JSON of the whole
// entry:
//
//	{"hash":…,"kind":…,"payload":{…},"prev_hash":…,"seq":…,"tenant":…,"time":…}
//
// so a receiver recomputes a record's hash by removing "hash", and hashing
// the 32 bytes of prev_hash followed by the remaining line. tenant "" exports
// the records that belong to no tenant; AllTenants exports every record. A
// tenant's export never holds another tenant's entry: the entries are
// filtered here whatever the Log returns. Records of other tenants sit
// between a tenant's records in the one chain, so a tenant's lines link by
// prev_hash only where they are consecutive; the last line's hash is an
// Anchor for VerifyAnchors.
func Export(ctx context.Context, log Log, tenant string, w io.Writer) error {
	read := log.Entries
	if tl, ok := log.(TenantLog); ok && tenant != AllTenants {
		read = func(ctx context.Context, from int64, limit int) ([]Entry, error) {
			return tl.TenantEntries(ctx, tenant, from, limit)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var (
		line []byte
		from int64
	)
	for {
		page, err := read(ctx, from, pageSize)
		if err != nil {
			return fmt.Errorf("export audit after seq %d: %w", from, err)
		}
		// A short page is not the end: a Log may cap the limit. Only an
		// empty page is.
		if len(page) == 0 {
			break
		}
		for i := range page {
			e := &page[i]
			if e.Seq <= from {
				return fmt.Errorf("export audit: %w: seq %d returned after seq %d", ErrConflict, e.Seq, from)
			}
			from = e.Seq
			if tenant != AllTenants && e.Tenant != tenant {
				continue
			}
			line = appendBody(line[:0], e, true)
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
				return fmt.Errorf("export audit seq %d: %w", e.Seq, err)
			}
		}

	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	return nil
}

// ReadExport parses JSON lines written by Export back into entries, for
// re-import and for checking an export on the receiving side. Blank lines
// are skipped; a line that is not an entry is an error naming its number.
func ReadExport(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var out []Entry
	for n := 1; sc.Scan(); n++ {
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return out, fmt.Errorf("read audit export line %d: %w", n, err)
		}
		// The payload's bytes are kept as written: they are what was hashed.
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read audit export: %w", err)
	}
	return out, nil
}

// VerifyEntry checks one entry on its own: its kind, the canonical form of
// its payload and its Hash given its PrevHash. A receiver of one tenant's
// export, which misses the other tenants' records in between, checks every
// line with it and the links where the Seqs are consecutive.
func VerifyEntry(e Entry) error {
	switch {
	case !e.Kind.Valid():
		return fmt.Errorf("verify audit seq %d: %w: %q", e.Seq, ErrUnknownKind, e.Kind)
	case !isCanonical(e.Payload):
		return fmt.Errorf("verify audit seq %d: payload is not canonical JSON", e.Seq)
	}
	if got, _ := hashEntry(nil, &e); got != e.Hash {
		return fmt.Errorf("verify audit seq %d: hash does not match the content", e.Seq)
	}
	return nil
}
