package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
)

// Memory is a Log in memory, for tests and for dry runs. Its zero value is
// an empty log ready to use.
type Memory struct {
	mu      sync.RWMutex
	entries []Entry
	// unsorted is set when Tamper left the entries out of Seq order.
	unsorted bool
}

var (
	_ Log       = (*Memory)(nil)
	_ TenantLog = (*Memory)(nil)
)

// Append implements Log: the entries must continue the sequence (Seq one
// past the last), or nothing is stored and ErrConflict is returned.
func (m *Memory) Append(ctx context.Context, entries ...Entry) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory audit append: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	next := int64(1)
	if n := len(m.entries); n > 0 {
		next = m.entries[n-1].Seq + 1
	}
	for i, e := range entries {
		if e.Seq != next+int64(i) {
			return fmt.Errorf("memory audit append: %w: seq %d, want %d", ErrConflict, e.Seq, next+int64(i))
		}
	}
	for _, e := range entries {
		m.entries = append(m.entries, cloneEntry(e))
	}
	return nil
}

// Entries implements Log.
func (m *Memory) Entries(ctx context.Context, fromSeq int64, limit int) ([]Entry, error) {
	return m.read(ctx, func(*Entry) bool { return true }, fromSeq, limit)
}

// TenantEntries implements TenantLog.
func (m *Memory) TenantEntries(ctx context.Context, tenant string, fromSeq int64, limit int) ([]Entry, error) {
	return m.read(ctx, func(e *Entry) bool { return e.Tenant == tenant }, fromSeq, limit)
}

func (m *Memory) read(ctx context.Context, keep func(*Entry) bool, fromSeq int64, limit int) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memory audit read: %w", err)
	}
	if limit <= 0 {
		limit = pageSize
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	// Entries are kept in append order, which is Seq order unless a test
	// tampered with them (Tamper); then scan from the start, so a tampered
	// order is returned as stored.
	start := 0
	if !m.unsorted {
		start, _ = slices.BinarySearchFunc(m.entries, fromSeq+1, func(e Entry, seq int64) int {
			return cmp.Compare(e.Seq, seq)
		})
	}
	var out []Entry
	for i := start; i < len(m.entries); i++ {
		e := &m.entries[i]
		if e.Seq > fromSeq && keep(e) {
			out = append(out, cloneEntry(*e))
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Tamper hands the stored entries to edit, in storage order, and keeps what
// edit returns, bypassing every check: it is how tests simulate an attacker
// with write access to the storage.
func (m *Memory) Tamper(edit func([]Entry) []Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = edit(m.entries)
	m.unsorted = !slices.IsSortedFunc(m.entries, func(a, b Entry) int { return cmp.Compare(a.Seq, b.Seq) })
}

func cloneEntry(e Entry) Entry {
	e.Payload = slices.Clone(e.Payload)
	return e
}
