package enrich

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// TTL says how long a provider's answer stays cached, by its worst verdict.
// NotFound is the negative-cache lifetime of "the provider knows nothing".
type TTL struct {
	Malicious  time.Duration
	Suspicious time.Duration
	Benign     time.Duration
	Context    time.Duration
	NotFound   time.Duration
}

// DefaultTTL is used for every field an operator leaves at zero.
var DefaultTTL = TTL{
	Malicious:  24 * time.Hour,
	Suspicious: 24 * time.Hour,
	Benign:     7 * 24 * time.Hour,
	Context:    7 * 24 * time.Hour,
	NotFound:   6 * time.Hour,
}

func (t TTL) withDefaults() TTL {
	pick := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	return TTL{
		Malicious:  pick(t.Malicious, DefaultTTL.Malicious),
		Suspicious: pick(t.Suspicious, DefaultTTL.Suspicious),
		Benign:     pick(t.Benign, DefaultTTL.Benign),
		Context:    pick(t.Context, DefaultTTL.Context),
		NotFound:   pick(t.NotFound, DefaultTTL.NotFound),
	}
}

// For returns the lifetime of an answer: the TTL of its worst verdict, the
// negative TTL when there are no findings.
func (t TTL) For(fs []alert.Finding) time.Duration {
	if len(fs) == 0 {
		return t.NotFound
	}
	worst := t.Context
	rank := 0
	for i := range fs {
		var r int
		var d time.Duration
		switch fs[i].Reputation {
		case alert.Malicious:
			r, d = 4, t.Malicious
		case alert.Suspicious:
			r, d = 3, t.Suspicious
		case alert.Benign:
			r, d = 2, t.Benign
		default:
			r, d = 1, t.Context
		}
		if r > rank {
			rank, worst = r, d
		}
	}
	return worst
}

// Rate is a request budget: at most N requests in any window Per.
type Rate struct {
	N   int
	Per time.Duration
}

// ParseRate reads "4/m", "500/s", "1000/h" or "20000/d". The empty string
// is no limit (the zero Rate).
func ParseRate(s string) (Rate, error) {
	if s == "" {
		return Rate{}, nil
	}
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want N/unit (s, m, h or d)", s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want a positive count", s)
	}
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[unit]
	if per == 0 {
		return Rate{}, fmt.Errorf("rate %q: unit must be s, m, h or d", s)
	}
	return Rate{N: n, Per: per}, nil
}

// Policy is the host's configuration of one provider.
type Policy struct {
	// Name is the configured instance name ("vt"); findings keep the
	// connector's own Source.
	Name string
	// Reliability is the Admiralty grade A-F stamped on the provider's
	// findings when it set none; it orders the merge.
	Reliability string
	Rate        Rate
	// DailyQuota and MonthlyQuota cap upstream calls per UTC day and
	// month; zero is no cap.
	DailyQuota   int64
	MonthlyQuota int64
	// Timeout bounds one upstream call; zero means the alert's deadline.
	Timeout time.Duration
	TTL     TTL
	// Types restricts the observable types sent; empty means what the
	// connector supports.
	Types []alert.ObservableType
	// Retries is the number of extra attempts for retryable failures.
	Retries int
	// BreakerFailures consecutive failures open the breaker for
	// BreakerCooldown; zero values mean 5 and 30s.
	BreakerFailures uint32
	BreakerCooldown time.Duration
}

// Validate reports every problem at once.
func (p *Policy) Validate() error {
	var errs []error
	if p.Name == "" {
		errs = append(errs, errors.New("name is required"))
	}
	if r := p.Reliability; r != "" && (len(r) != 1 || r[0] < 'A' || r[0] > 'F') {
		errs = append(errs, fmt.Errorf("reliability %q: want one of A-F", r))
	}
	if p.DailyQuota < 0 || p.MonthlyQuota < 0 {
		errs = append(errs, errors.New("quotas must not be negative"))
	}
	if p.DailyQuota > 0 && p.MonthlyQuota > 0 && p.MonthlyQuota < p.DailyQuota {
		errs = append(errs, fmt.Errorf("monthly_quota %d is below daily_quota %d", p.MonthlyQuota, p.DailyQuota))
	}
	if p.Timeout < 0 || p.Retries < 0 {
		errs = append(errs, errors.New("timeout and retries must not be negative"))
	}
	return errors.Join(errs...)
}

func (p *Policy) allows(t alert.ObservableType) bool {
	return len(p.Types) == 0 || slices.Contains(p.Types, t)
}

// reliabilityRank orders A first; an unset grade sorts after F.
func reliabilityRank(r string) int {
	if len(r) == 1 && r[0] >= 'A' && r[0] <= 'F' {
		return int(r[0] - 'A')
	}
	return 6
}
