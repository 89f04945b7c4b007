package store

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Cursor is a position in a newest-first listing: the alert time in Unix
// nanoseconds and the sequence number of the last row seen.
type Cursor struct {
	Time int64
	Seq  int64
}

// String encodes c as "TIME.SEQ" in decimal.
func (c Cursor) String() string {
	return strconv.FormatInt(c.Time, 10) + "." + strconv.FormatInt(c.Seq, 10)
}

// ParseCursor decodes a Cursor.String value.
func ParseCursor(s string) (Cursor, error) {
	ts, seq, ok := strings.Cut(s, ".")
	if !ok {
		return Cursor{}, fmt.Errorf("parse cursor %q: %w: want TIME.SEQ", s, ErrInvalid)
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Cursor{}, fmt.Errorf("parse cursor %q: %w: %w", s, ErrInvalid, err)
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 0 {
		return Cursor{}, fmt.Errorf("parse cursor %q: %w: bad sequence", s, ErrInvalid)
	}
	return Cursor{Time: t, Seq: n}, nil
}

// ParseQuery decodes a Query from URL parameters (tenant, from, to as
// RFC 3339, disposition, verdict, priority, min_score, entity as KIND:VALUE,
// limit, after), as the HTTP API will receive them. Unknown parameters and
// values outside the model's enumerations are errors wrapping ErrInvalid.
func ParseQuery(v url.Values) (Query, error) {
	var q Query
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for k, vals := range v {
		if len(vals) != 1 {
			bad("%s given %d times", k, len(vals))
			continue
		}
		s := vals[0]
		switch k {
		case "tenant":
			q.Tenant = s
		case "from", "to":
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				bad("%s: %v", k, err)
			} else if k == "from" {
				q.From = t
			} else {
				q.To = t
			}
		case "disposition":
			q.Disposition = alert.Disposition(s)
			if !oneOf(s, alert.Escalate, alert.Investigate, alert.Review, alert.AutoClose) {
				bad("unknown disposition %q", s)
			}
		case "verdict":
			q.Verdict = alert.Verdict(s)
			if !oneOf(s, alert.TruePositive, alert.FalsePositive, alert.NeedsReview, alert.BenignPositive) {
				bad("unknown verdict %q", s)
			}
		case "priority":
			q.Priority = alert.Priority(s)
			if !oneOf(s, alert.P1, alert.P2, alert.P3, alert.P4) {
				bad("unknown priority %q", s)
			}
		case "min_score":
			n, err := strconv.Atoi(s)
			if err != nil {
				bad("min_score: %v", err)
			}
			q.MinScore = n
		case "entity":
			kind, value, ok := strings.Cut(s, ":")
			if !ok {
				bad("entity %q: want KIND:VALUE", s)
			}
			q.Entity = EntityKey{Kind: kind, Value: NormalizeEntity(kind, value)}
		case "limit":
			n, err := strconv.Atoi(s)
			if err != nil {
				bad("limit: %v", err)
			}
			q.Limit = n
		case "after":
			q.After = s
		default:
			bad("unknown parameter %q", k)
		}
	}
	if len(errs) == 0 {
		if err := q.Validate(); err != nil {
			return Query{}, err
		}
		return q, nil
	}
	slices.Sort(errs) // map order is random; the message is not
	return Query{}, fmt.Errorf("parse query: %w: %s", ErrInvalid, strings.Join(errs, "; "))
}

// Validate reports whether q can run: a tenant, a limit in range, a score in
// 0-100, an entity with a value, a parseable cursor and from before to.
func (q *Query) Validate() error {
	var errs []string
	if q.Tenant == "" {
		errs = append(errs, "tenant is required")
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		errs = append(errs, fmt.Sprintf("limit %d outside 0-%d", q.Limit, MaxLimit))
	}
	if q.MinScore < 0 || q.MinScore > 100 {
		errs = append(errs, fmt.Sprintf("min_score %d outside 0-100", q.MinScore))
	}
	if (q.Entity.Kind == "") != (q.Entity.Value == "") {
		errs = append(errs, "entity needs both a kind and a value")
	} else if q.Entity.Kind != "" && !slices.Contains(Kinds, q.Entity.Kind) {
		errs = append(errs, fmt.Sprintf("unknown entity kind %q", q.Entity.Kind))
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		errs = append(errs, "from must be before to")
	}
	if q.After != "" {
		if _, err := ParseCursor(q.After); err != nil {
			errs = append(errs, "bad after cursor")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("query: %w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

func oneOf[T ~string](s string, vals ...T) bool {
	for _, v := range vals {
		if string(v) == s {
			return true
		}
	}
	return false
}

func limitOf(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}
