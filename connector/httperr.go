package connector

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDetail is how much of a provider's answer an error message quotes.
const maxDetail = 200

// maxSeconds keeps a huge Retry-After from overflowing a Duration.
const maxSeconds = int(math.MaxInt64 / int64(time.Second))

// StatusError classifies a provider's HTTP answer by its status, for
// connectors that speak HTTP: 2xx is no error (nil); 401 and 403 are
// Unauthorized; 429 is RateLimited, with RetryAfter read from the
// Retry-After header; 5xx is Retryable; any other status, 404 included, is
// Permanent. A lookup that treats 404 as "no finding" checks it before
// calling. detail is the vendor's own explanation (an error field, or the
// start of the body); the message is "<provider>: http <code>: <detail>",
// with secret redacted and detail cut to 200 bytes.
func StatusError(provider string, resp *http.Response, detail string, secret Secret) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: http %d", provider, code)
	if d := excerpt(secret.Redact(strings.TrimSpace(detail))); d != "" {
		err = fmt.Errorf("%s: http %d: %s", provider, code, d)
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return &Error{Kind: Unauthorized, Err: err}
	case code == http.StatusTooManyRequests:
		return &Error{Kind: RateLimited, RetryAfter: RetryAfter(resp.Header.Get("Retry-After"), time.Now()), Err: err}
	case code >= 500:
		return &Error{Kind: Retryable, Err: err}
	}
	return &Error{Kind: Permanent, Err: err}
}

// RetryAfter reads a Retry-After header value, in seconds or as an HTTP
// date measured from now; zero when absent, unreadable, negative or past.
func RetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		return time.Duration(min(max(n, 0), maxSeconds)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// excerpt cuts s to maxDetail bytes on a rune boundary, marking the cut.
func excerpt(s string) string {
	if len(s) <= maxDetail {
		return s
	}
	cut := maxDetail
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
