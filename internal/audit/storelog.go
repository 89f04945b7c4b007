package audit

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/winnow-soc/winnow/internal/store"
)

// AuditStore is the part of store.Store the audit log uses.
type AuditStore interface {
	AppendAudit(ctx context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error)
	AuditRecords(ctx context.Context, tenant string, fromSeq int64, limit int) ([]store.AuditRecord, error)
}

var _ AuditStore = (store.Store)(nil)

// StoreLog is a Log over the store's audit table. The store assigns sequence
// numbers itself (they increase by one per row, and rows are never deleted),
// so Append checks that the numbers it got are the ones the chain hashed and
// reports ErrConflict otherwise. Hashes are kept as their 32 raw bytes.
type StoreLog struct {
	st AuditStore
}

var (
	_ Log       = (*StoreLog)(nil)
	_ TenantLog = (*StoreLog)(nil)
)

// NewStoreLog returns a Log over st.
func NewStoreLog(st AuditStore) *StoreLog { return &StoreLog{st: st} }

// Append implements Log.
func (l *StoreLog) Append(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	recs := make([]store.AuditRecord, len(entries))
	for i, e := range entries {
		prev, err := hex.DecodeString(e.PrevHash)
		if err != nil {
			return fmt.Errorf("store audit seq %d: prev_hash: %w", e.Seq, err)
		}
		hash, err := hex.DecodeString(e.Hash)
		if err != nil {
			return fmt.Errorf("store audit seq %d: hash: %w", e.Seq, err)
		}
		recs[i] = store.AuditRecord{
			Tenant: e.Tenant, Time: e.Time, Kind: string(e.Kind),
			Payload: e.Payload, PrevHash: prev, Hash: hash,
		}
	}
	got, err := l.st.AppendAudit(ctx, recs...)
	if err != nil {
		return fmt.Errorf("store audit seq %d-%d: %w", entries[0].Seq, entries[len(entries)-1].Seq, err)
	}
	for i, r := range got {
		if i < len(entries) && r.Seq != entries[i].Seq {
			return fmt.Errorf("store audit: %w: stored as seq %d, chained as seq %d", ErrConflict, r.Seq, entries[i].Seq)
		}
	}
	return nil
}

// Entries implements Log.
func (l *StoreLog) Entries(ctx context.Context, fromSeq int64, limit int) ([]Entry, error) {
	return l.read(ctx, store.AllTenants, fromSeq, limit)
}

// TenantEntries implements TenantLog.
func (l *StoreLog) TenantEntries(ctx context.Context, tenant string, fromSeq int64, limit int) ([]Entry, error) {
	if tenant == AllTenants {
		return nil, fmt.Errorf("read audit: %w: tenant %q is reserved", ErrInvalid, tenant)
	}
	return l.read(ctx, tenant, fromSeq, limit)
}

func (l *StoreLog) read(ctx context.Context, tenant string, fromSeq int64, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = pageSize
	}
	limit = min(limit, store.MaxLimit)
	recs, err := l.st.AuditRecords(ctx, tenant, fromSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	out := make([]Entry, len(recs))
	for i, r := range recs {
		// Whatever bytes are stored are shown in hex, so a damaged hash is
		// reported by Verify rather than failing the read.
		out[i] = Entry{
			Seq: r.Seq, Time: r.Time.UTC(), Tenant: r.Tenant, Kind: Kind(r.Kind),
			Payload: r.Payload, PrevHash: hex.EncodeToString(r.PrevHash), Hash: hex.EncodeToString(r.Hash),
		}
	}
	return out, nil
}
