package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
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

type fakeConfig struct {
	Endpoint string    `json:"endpoint"`
	APIKey   SecretRef `json:"api_key"`
	Rate     int       `json:"rate"`
}

func (c *fakeConfig) Defaults() {
	if c.Rate == 0 {
		c.Rate = 4
	}
}

func (c *fakeConfig) Validate() error {
	var errs []error
	if c.Endpoint == "" {
		errs = append(errs, errors.New("endpoint: required"))
	}
	if c.Rate < 0 {
		errs = append(errs, errors.New("rate: must not be negative"))
	}
	return errors.Join(errs...)
}

func TestRegistry(t *testing.T) {
	var got *fakeConfig
	RegisterEnricher("test-fake", func(cfg *fakeConfig, _ Deps) (Enricher, error) {
		got = cfg
		return fakeEnricher{}, nil
	})
	f, ok := LookupEnricher("test-fake")
	if !ok {
		t.Fatal("registered enricher not found")
	}
	e, err := f(json.RawMessage(`{"endpoint":"https://api.example"}`), Deps{})
	if err != nil || e.Name() != "fake" {
		t.Fatalf("factory = %v, %v", e, err)
	}
	if got.Rate != 4 {
		t.Errorf("defaults not applied: %+v", got)
	}
	for _, bad := range []string{`{"endpoint":"x","nope":1}`, `{"rate":-1}`, `[1]`} {
		if _, err := f(json.RawMessage(bad), Deps{}); err == nil {
			t.Errorf("config %s accepted", bad)
		}
	}
	if _, err := f(json.RawMessage(`{"rate":-1}`), Deps{}); err == nil || !strings.Contains(err.Error(), "endpoint: required") || !strings.Contains(err.Error(), "rate: must not be negative") {
		t.Errorf("every problem must be reported at once: %v", err)
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
	RegisterEnricher("test-fake", func(*fakeConfig, Deps) (Enricher, error) { return nil, nil })
}

func TestSecret(t *testing.T) {
	s := NewSecret("hunter2-key")
	for _, out := range []string{
		s.String(), fmt.Sprintf("%v %s %+v %#v", s, s, s, s), fmt.Sprint(struct{ K Secret }{s}),
	} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret printed: %s", out)
		}
	}
	b, _ := json.Marshal(struct{ Key Secret }{s})
	if strings.Contains(string(b), "hunter2") {
		t.Errorf("secret serialised: %s", b)
	}
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("lookup", "key", s)
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("secret logged: %s", buf.String())
	}
	if s.Reveal() != "hunter2-key" {
		t.Error("Reveal lost the value")
	}
	if got := s.Redact("GET /?apikey=hunter2-key failed"); strings.Contains(got, "hunter2") {
		t.Errorf("Redact left it: %s", got)
	}

	t.Setenv("WINNOW_TEST_KEY", " from-env \n")
	if v, err := (SecretRef{Env: "WINNOW_TEST_KEY"}).Resolve(); err != nil || v.Reveal() != "from-env" {
		t.Errorf("env: %v %v", v.Reveal(), err)
	}
	file := t.TempDir() + "/key"
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	if v, err := (SecretRef{File: file}).Resolve(); err != nil || v.Reveal() != "from-file" {
		t.Errorf("file: %v %v", v.Reveal(), err)
	}
	for _, r := range []SecretRef{{}, {Env: "WINNOW_TEST_UNSET_KEY"}, {Env: "A", File: "B"}} {
		if _, err := r.Resolve(); err == nil {
			t.Errorf("%+v resolved", r)
		}
	}
}
