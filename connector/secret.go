package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Secret holds a credential. It never prints, logs or serialises its value:
// String, GoString, LogValue and MarshalJSON all say "[redacted]". Only
// Reveal returns it, for the one request header that needs it.
type Secret struct{ v string }

// NewSecret wraps a credential.
func NewSecret(v string) Secret { return Secret{v: v} }

// Reveal returns the credential.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.v == "" }

func (s Secret) String() string             { return "[redacted]" }
func (s Secret) GoString() string           { return "connector.Secret([redacted])" }
func (s Secret) LogValue() slog.Value       { return slog.StringValue("[redacted]") }
func (s Secret) Format(f fmt.State, _ rune) { f.Write([]byte("[redacted]")) }

// MarshalJSON never writes the credential.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// SecretRef is how a configuration names a credential: an environment
// variable or a file, never the value itself.
type SecretRef struct {
	Env  string `json:"env,omitempty"`
	File string `json:"file,omitempty"`
}

// ErrNoSecret means a SecretRef names nothing or an empty value.
var ErrNoSecret = errors.New("credential not set")

// Resolve reads the credential a SecretRef names. Errors name the variable
// or file, never a value.
func (r SecretRef) Resolve() (Secret, error) {
	switch {
	case r.Env != "" && r.File != "":
		return Secret{}, errors.New("credential: set env or file, not both")
	case r.Env != "":
		v := strings.TrimSpace(os.Getenv(r.Env))
		if v == "" {
			return Secret{}, fmt.Errorf("environment variable %s: %w", r.Env, ErrNoSecret)
		}
		return NewSecret(v), nil
	case r.File != "":
		b, err := os.ReadFile(r.File)
		if err != nil {
			return Secret{}, fmt.Errorf("credential file: %w", err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return Secret{}, fmt.Errorf("credential file %s: %w", r.File, ErrNoSecret)
		}
		return NewSecret(v), nil
	}
	return Secret{}, ErrNoSecret
}

// Redact replaces every occurrence of the secret in s, for error messages
// that echo a request.
func (s Secret) Redact(text string) string {
	if s.v == "" {
		return text
	}
	return strings.ReplaceAll(text, s.v, "[redacted]")
}

var _ json.Marshaler = Secret{}
