package opencti

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// Observable is the part of a STIX cyber observable the verdict reads.
type Observable struct {
	ID         string     `json:"id"`
	EntityType string     `json:"entity_type"`
	Value      string     `json:"observable_value"`
	Score      *int       `json:"x_opencti_score"`
	UpdatedAt  *time.Time `json:"updated_at"`
	CreatedBy  *identity  `json:"createdBy"`
	Labels     []label    `json:"objectLabel"`
}

// Indicator is the part of an indicator the verdict reads.
type Indicator struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Pattern        string     `json:"pattern"`
	PatternType    string     `json:"pattern_type"`
	IndicatorTypes []string   `json:"indicator_types"`
	Score          *int       `json:"x_opencti_score"`
	ValidFrom      *time.Time `json:"valid_from"`
	ValidUntil     *time.Time `json:"valid_until"`
	Revoked        bool       `json:"revoked"`
	UpdatedAt      *time.Time `json:"updated_at"`
	CreatedBy      *identity  `json:"createdBy"`
	Labels         []label    `json:"objectLabel"`
}

type identity struct {
	Name string `json:"name"`
}

type label struct {
	Value string `json:"value"`
}

// Result is what one lookup found.
type Result struct {
	Observables []Observable
	Indicators  []Indicator
}

// ErrShape means an answer that is JSON but not the lookup's data.
var ErrShape = errors.New("response is not a lookup result")

// GraphQLError is the errors array of a GraphQL answer.
type GraphQLError struct {
	Messages []string
	Codes    []string
}

func (e *GraphQLError) Error() string {
	return fmt.Sprintf("graphql: %s (%s)", strings.Join(e.Messages, "; "), strings.Join(e.Codes, ", "))
}

// Kind classifies the error: OpenCTI's AUTH_REQUIRED and FORBIDDEN_ACCESS
// refuse the token; database and internal errors may pass; anything else
// (a bad filter key, a schema mismatch) will fail again.
func (e *GraphQLError) Kind() connector.Kind {
	for _, c := range e.Codes {
		switch strings.ToUpper(c) {
		case "AUTH_REQUIRED", "AUTHREQUIRED", "FORBIDDEN_ACCESS", "FORBIDDENACCESS", "UNAUTHENTICATED":
			return connector.Unauthorized
		case "DATABASE_ERROR", "INTERNAL_SERVER_ERROR", "UNKNOWN_ERROR", "LOCK_ERROR":
			return connector.Retryable
		}
	}
	return connector.Permanent
}

// Decode parses the answer to Query. A non-empty errors array is a
// *GraphQLError even when partial data came with it: a lookup that half
// failed must not read as "nothing known".
func Decode(raw []byte) (*Result, error) {
	type edges[T any] struct {
		Edges []struct {
			Node T `json:"node"`
		} `json:"edges"`
	}
	var env struct {
		Data *struct {
			Observables *edges[Observable] `json:"stixCyberObservables"`
			Indicators  *edges[Indicator]  `json:"indicators"`
		} `json:"data"`
		Errors []struct {
			Message    string `json:"message"`
			Name       string `json:"name"`
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("decode graphql answer: %w", err)
	}
	if len(env.Errors) > 0 {
		ge := &GraphQLError{}
		for _, e := range env.Errors {
			ge.Messages = append(ge.Messages, e.Message)
			code := e.Extensions.Code
			if code == "" {
				code = e.Name
			}
			ge.Codes = append(ge.Codes, code)
		}
		return nil, ge
	}
	if env.Data == nil || env.Data.Observables == nil || env.Data.Indicators == nil {
		return nil, fmt.Errorf("decode graphql answer: %w", ErrShape)
	}
	r := &Result{}
	for _, e := range env.Data.Observables.Edges {
		r.Observables = append(r.Observables, e.Node)
	}
	for _, e := range env.Data.Indicators.Edges {
		r.Indicators = append(r.Indicators, e.Node)
	}
	return r, nil
}

// Bands map an x_opencti_score to a verdict: at least Malicious is
// malicious, at least Suspicious suspicious, at most Benign benign, and
// the scores between say nothing either way.
type Bands struct {
	Malicious, Suspicious, Benign int
}

// Verdict returns the band of score and the confidence it carries: the
// score itself for the bad bands, its complement for the benign one.
func (b Bands) Verdict(score int) (alert.Reputation, int) {
	score = max(0, min(100, score))
	switch {
	case score >= b.Malicious:
		return alert.Malicious, score
	case score >= b.Suspicious:
		return alert.Suspicious, score
	case score <= b.Benign:
		return alert.Benign, 100 - score
	}
	return alert.Unknown, 0
}

// Summarize turns a lookup into one finding scored by the highest
// x_opencti_score among the observables and the indicators that are not
// revoked; an entity without a score gives context only. ok is false when
// OpenCTI holds nothing live about the value.
func Summarize(r *Result, b Bands) (f alert.Finding, ok bool) {
	if r == nil {
		return alert.Finding{}, false
	}
	var (
		best    *int
		cats    = map[string]bool{}
		authors = map[string]bool{}
		parts   []string
	)
	take := func(score *int, by *identity, labels []label, updated *time.Time) {
		if score != nil && (best == nil || *score > *best) {
			best = score
		}
		if by != nil && by.Name != "" {
			authors[by.Name] = true
		}
		for _, l := range labels {
			if v := strings.ToLower(strings.TrimSpace(l.Value)); v != "" {
				cats[v] = true
			}
		}
		f.AsOf = later(f.AsOf, updated)
	}
	for _, o := range r.Observables {
		take(o.Score, o.CreatedBy, o.Labels, o.UpdatedAt)
		parts = append(parts, "observable "+o.EntityType+scoreText(o.Score))
	}
	live := 0
	for _, in := range r.Indicators {
		if in.Revoked {
			continue
		}
		live++
		take(in.Score, in.CreatedBy, in.Labels, in.UpdatedAt)
		for _, t := range in.IndicatorTypes {
			cats[strings.ReplaceAll(strings.ToLower(t), "-", "_")] = true
		}
		if in.ValidFrom != nil && (f.FirstSeen == nil || in.ValidFrom.Before(*f.FirstSeen)) {
			t := in.ValidFrom.UTC()
			f.FirstSeen = &t
		}
		if live <= 3 {
			parts = append(parts, "indicator "+strconv.Quote(in.Name)+scoreText(in.Score))
		}
	}
	if len(r.Observables) == 0 && live == 0 {
		return alert.Finding{}, false
	}
	f.Source = Name
	f.Reputation = alert.Context
	if best != nil {
		f.Reputation, f.Confidence = b.Verdict(*best)
	}
	for c := range cats {
		f.Categories = append(f.Categories, c)
	}
	slices.Sort(f.Categories)
	detail := strings.Join(parts, "; ")
	if live > 3 {
		detail += fmt.Sprintf(" (+%d more indicators)", live-3)
	}
	if len(authors) > 0 {
		names := make([]string, 0, len(authors))
		for a := range authors {
			names = append(names, a)
		}
		slices.Sort(names)
		detail += "; by " + strings.Join(names, ", ")
	}
	f.Detail = detail
	return f, true
}

func scoreText(s *int) string {
	if s == nil {
		return " (no score)"
	}
	return " score " + strconv.Itoa(*s)
}

func later(a, b *time.Time) *time.Time {
	if b == nil {
		return a
	}
	if a == nil || b.After(*a) {
		t := b.UTC()
		return &t
	}
	return a
}
