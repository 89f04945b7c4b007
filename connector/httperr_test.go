package connector

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusError(t *testing.T) {
	for _, c := range []struct {
		name      string
		code      int
		header    string
		detail    string
		wantNil   bool
		wantKind  Kind
		wantMsg   string
		wantRetry time.Duration
	}{
		{name: "200", code: 200, wantNil: true},
		{name: "204", code: 204, wantNil: true},
		{name: "401", code: 401, detail: "bad key", wantKind: Unauthorized, wantMsg: "vendor: http 401: bad key"},
		{name: "403", code: 403, wantKind: Unauthorized, wantMsg: "vendor: http 403"},
		{name: "404", code: 404, wantKind: Permanent, wantMsg: "vendor: http 404"},
		{name: "400", code: 400, detail: "  bad ip \n", wantKind: Permanent, wantMsg: "vendor: http 400: bad ip"},
		{name: "422", code: 422, wantKind: Permanent, wantMsg: "vendor: http 422"},
		{name: "429 seconds", code: 429, header: "30", wantKind: RateLimited, wantMsg: "vendor: http 429", wantRetry: 30 * time.Second},
		{name: "429 no header", code: 429, wantKind: RateLimited, wantMsg: "vendor: http 429"},
		{name: "500", code: 500, wantKind: Retryable, wantMsg: "vendor: http 500"},
		{name: "503", code: 503, detail: "down", wantKind: Retryable, wantMsg: "vendor: http 503: down"},
		{name: "redacted", code: 401, detail: "key s3cr3t refused", wantKind: Unauthorized, wantMsg: "vendor: http 401: key [redacted] refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: c.code, Header: http.Header{}}
			if c.header != "" {
				resp.Header.Set("Retry-After", c.header)
			}
			err := StatusError("vendor", resp, c.detail, NewSecret("s3cr3t"))
			if c.wantNil {
				if err != nil {
					t.Fatalf("StatusError = %v, want nil", err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("StatusError = %v, want *Error", err)
			}
			if ce.Kind != c.wantKind || ce.Err.Error() != c.wantMsg || ce.RetryAfter != c.wantRetry {
				t.Errorf("StatusError = {%s %s %q}, want {%s %s %q}", ce.Kind, ce.RetryAfter, ce.Err, c.wantKind, c.wantRetry, c.wantMsg)
			}
		})
	}
}

func TestStatusErrorExcerpt(t *testing.T) {
	detail := strings.Repeat("é", 150) // 300 bytes, two bytes a rune
	err := StatusError("vendor", &http.Response{StatusCode: 400}, detail, Secret{})
	msg := err.(*Error).Err.Error()
	got := strings.TrimPrefix(msg, "vendor: http 400: ")
	if want := strings.Repeat("é", 100) + "..."; got != want {
		t.Errorf("excerpt = %q (%d bytes), want 100 runes and a mark", got, len(got))
	}
}

func TestStatusErrorRedactsBeforeCut(t *testing.T) {
	key := "0123456789abcdef"
	detail := strings.Repeat("x", maxDetail-8) + key
	err := StatusError("vendor", &http.Response{StatusCode: 401}, detail, NewSecret(key))
	if strings.Contains(err.Error(), key[:8]) {
		t.Errorf("message leaks part of the key: %s", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		in   string
		want time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"spaces", " 7 ", 7 * time.Second},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"http date", "Sun, 01 Mar 2026 12:00:45 GMT", 45 * time.Second},
		{"past date", "Sun, 01 Mar 2026 11:00:00 GMT", 0},
		{"garbage", "soon", 0},
		{"huge", "99999999999999999", time.Duration(maxSeconds) * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := RetryAfter(c.in, now); got != c.want {
				t.Errorf("RetryAfter(%q) = %s, want %s", c.in, got, c.want)
			}
		})
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "120", "-1", "Sun, 01 Mar 2026 12:00:45 GMT", "soon"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		if d := RetryAfter(h, now); d < 0 {
			t.Errorf("RetryAfter(%q) = %s, negative", h, d)
		}
	})
}

func BenchmarkStatusError(b *testing.B) {
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"30"}}}
	key := NewSecret("s3cr3t")
	b.ReportAllocs()
	for b.Loop() {
		_ = StatusError("vendor", resp, `{"error":"rate limit reached"}`, key)
	}
}
