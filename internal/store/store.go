package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Errors returned by every Store implementation.
var (
	// ErrNotFound means the tenant holds no such row (or a cache entry expired).
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the request breaks the store's contract: a missing
	// tenant or ID, a bad cursor, a limit out of range. It is permanent.
	ErrInvalid = errors.New("invalid request")
	// ErrSchemaTooNew means the database was migrated by a newer Winnow.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
	// ErrClosed is returned by a Writer after Close.
	ErrClosed = errors.New("store writer closed")
)

// Store is what the engine persists. Implementations are safe for concurrent
// use; every method that reads takes a tenant and never returns another
// tenant's rows. Methods honour ctx cancellation; a write either commits whole
// or not at all.
type Store interface {
	// SaveBatch writes alerts with their decisions in one transaction. It is
	// idempotent on (tenant, alert ID): an alert already stored keeps its
	// sequence number, its first ReceivedAt and its alert body, while its
	// decision is replaced by the new one (a re-triage with newer content
	// wins). An item with no tenant or ID fails the whole batch with ErrInvalid.
	SaveBatch(ctx context.Context, items []Item) error
	// Alert returns one alert and its latest decision, or ErrNotFound.
	Alert(ctx context.Context, tenant, id string) (Record, error)
	// Alerts lists one tenant's alerts newest first (by alert time, then by
	// sequence) matching q; Record.Cursor of the last row pages on.
	Alerts(ctx context.Context, q Query) ([]Record, error)
	// EntityAlerts lists the alerts of tenant that name the entity
	// (kind, value) with an alert time in [from, to), newest first. A zero
	// from or to leaves that side open; limit <= 0 means DefaultLimit.
	EntityAlerts(ctx context.Context, tenant, kind, value string, from, to time.Time, limit int) ([]Record, error)

	// PutFeedback records an analyst's feedback on a stored alert (ErrNotFound
	// when the alert is not stored) and returns it with ID and Time set.
	PutFeedback(ctx context.Context, f Feedback) (Feedback, error)
	// Feedback lists the feedback on one alert, oldest first.
	Feedback(ctx context.Context, tenant, alertID string) ([]Feedback, error)
	// FeedbackSince lists a tenant's feedback with ID > afterID, oldest first.
	FeedbackSince(ctx context.Context, tenant string, afterID int64, limit int) ([]Feedback, error)

	// PutIncident creates or replaces an incident and its alert links.
	PutIncident(ctx context.Context, in Incident) error
	// Incident returns one incident, or ErrNotFound.
	Incident(ctx context.Context, tenant, id string) (Incident, error)
	// Incidents lists a tenant's incidents, most recently updated first.
	Incidents(ctx context.Context, tenant string, limit int) ([]Incident, error)

	// CacheGet returns a live cache entry, or ErrNotFound when it is absent
	// or expired. Cache keys are not tenant-scoped: a caller caching
	// tenant-private lookups must put the tenant in the key.
	CacheGet(ctx context.Context, provider, key string) (CacheEntry, error)
	// CachePut creates or replaces a cache entry; Negative entries record
	// "the provider knows nothing" and may carry no value.
	CachePut(ctx context.Context, e CacheEntry) error
	// CachePrune deletes entries that expired before now and reports how many.
	CachePrune(ctx context.Context, now time.Time) (int64, error)

	// AppendAudit appends records in one transaction and returns them with
	// Seq set, in order. Rows are never updated or deleted. The store does
	// not compute PrevHash or Hash: the audit stage does, and the store keeps
	// them byte for byte.
	AppendAudit(ctx context.Context, recs ...AuditRecord) ([]AuditRecord, error)
	// AuditRecords returns audit records with Seq > fromSeq in Seq order: the
	// records of tenant, the records with no tenant when tenant is "", or
	// every record when tenant is AllTenants (for verifying the whole chain).
	AuditRecords(ctx context.Context, tenant string, fromSeq int64, limit int) ([]AuditRecord, error)

	// Close releases the database; it does not wait for Writers.
	Close() error
}

// Limits on list sizes.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// AllTenants, given to AuditRecords, reads every tenant's records. It is the
// only cross-tenant read and exists for verifying the audit chain.
const AllTenants = "*"

// Item is one decided alert to persist.
type Item struct {
	Alert    alert.Alert
	Decision alert.Decision
	// ReceivedAt is when Winnow read the alert; a zero value means now.
	ReceivedAt time.Time
}

// Record is a stored alert with its latest decision.
type Record struct {
	Alert      alert.Alert
	Decision   alert.Decision
	ReceivedAt time.Time
	// Seq is the store-wide insertion sequence, stable for the alert's life.
	Seq int64
	// Time is the indexed alert time: the alert's own time, or ReceivedAt
	// when the alert has none.
	Time time.Time
}

// Cursor returns the Query.After value that continues a listing after r.
func (r Record) Cursor() string { return Cursor{Time: r.Time.UnixNano(), Seq: r.Seq}.String() }

// Query selects one tenant's alerts. Zero fields do not filter.
type Query struct {
	Tenant      string // required
	From, To    time.Time
	Disposition alert.Disposition
	Verdict     alert.Verdict
	Priority    alert.Priority
	MinScore    int
	// Entity, when Kind is set, keeps alerts naming that entity.
	Entity EntityKey
	// Limit caps the rows returned; 0 means DefaultLimit, at most MaxLimit.
	Limit int
	// After is a Record.Cursor: list only rows after it in the listing order.
	After string
}

// Feedback is an analyst's judgement of one stored alert.
type Feedback struct {
	ID          int64
	Tenant      string
	AlertID     string
	Time        time.Time // zero means now
	Analyst     string
	Verdict     alert.Verdict
	Disposition alert.Disposition
	Comment     string
}

// Incident groups alerts of one tenant. AlertIDs need not be stored yet
// (correlation may link an alert before its batch is written). Body holds
// what the correlation stage wants to keep beyond the indexed fields.
type Incident struct {
	Tenant   string
	ID       string
	Title    string
	Status   string
	Severity alert.Severity
	Created  time.Time
	Updated  time.Time
	AlertIDs []string
	Body     json.RawMessage
}

// CacheEntry is one cached enrichment answer.
type CacheEntry struct {
	Provider  string
	Key       string
	Value     []byte
	Negative  bool
	StoredAt  time.Time // zero means now
	ExpiresAt time.Time // required
}

// AuditRecord is one append-only audit row.
type AuditRecord struct {
	Seq      int64
	Tenant   string
	Time     time.Time // zero means now
	Kind     string
	Payload  []byte
	PrevHash []byte
	Hash     []byte
}
