package connector

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestKindOf(t *testing.T) {
	rl := &Error{Kind: RateLimited, RetryAfter: time.Minute, Err: errors.New("429")}
	for _, c := range []struct {
		name string
		err  error
		want Kind
	}{
		{"plain", errors.New("boom"), Retryable},
		{"permanent", Errorf(Permanent, "bad request %d", 400), Permanent},
		{"wrapped rate limit", fmt.Errorf("lookup: %w", rl), RateLimited},
		{"unauthorized", Errorf(Unauthorized, "key refused"), Unauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := KindOf(c.err); got != c.want {
				t.Errorf("KindOf = %s, want %s", got, c.want)
			}
		})
	}
	if got := rl.Error(); got != "rate_limited: 429" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(fmt.Errorf("x: %w", rl), rl.Err) {
		t.Error("Unwrap does not expose the cause")
	}
}

type fakeEnricher struct{}

func (fakeEnricher) Name() string                         { return "fake" }
func (fakeEnricher) Supports(t alert.ObservableType) bool { return t == alert.IPv4 }
func (fakeEnricher) Enrich(context.Context, alert.Observable) ([]alert.Finding, error) {
	return nil, nil
}

var _ Enricher = fakeEnricher{}

func TestRegistry(t *testing.T) {
	RegisterEnricher("test-fake", func(map[string]any) (Enricher, error) { return fakeEnricher{}, nil })
	f, ok := LookupEnricher("test-fake")
	if !ok {
		t.Fatal("registered enricher not found")
	}
	e, err := f(nil)
	if err != nil || e.Name() != "fake" {
		t.Fatalf("factory = %v, %v", e, err)
	}
	if _, ok := LookupEnricher("nope"); ok {
		t.Error("unknown name found")
	}
	found := false
	for _, n := range Enrichers() {
		found = found || n == "test-fake"
	}
	if !found {
		t.Error("Enrichers() does not list the registered name")
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate registration did not panic")
		}
	}()
	RegisterEnricher("test-fake", nil)
}
