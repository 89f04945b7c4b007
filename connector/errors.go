package connector

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a connector error for the host's retry logic.
type Kind int

// Error kinds.
const (
	// Retryable errors may succeed if tried again later (timeouts, 5xx).
	Retryable Kind = iota
	// Permanent errors will fail again (bad request, unknown observable type).
	Permanent
	// RateLimited means the provider refused for quota or rate reasons.
	RateLimited
	// Unauthorized means the credentials were refused.
	Unauthorized
)

func (k Kind) String() string {
	switch k {
	case Permanent:
		return "permanent"
	case RateLimited:
		return "rate_limited"
	case Unauthorized:
		return "unauthorized"
	}
	return "retryable"
}

// Error is a classified connector error.
type Error struct {
	Kind Kind
	// RetryAfter is the provider's requested wait, when it gave one.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %v", e.Kind, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// KindOf reports the kind of err; unclassified errors are Retryable.
func KindOf(err error) Kind {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Kind
	}
	return Retryable
}

// Errorf returns a classified error.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}
