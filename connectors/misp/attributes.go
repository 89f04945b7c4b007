package misp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Attribute is the part of a MISP attribute the verdict reads.
type Attribute struct {
	ID        string     `json:"id"`
	EventID   string     `json:"event_id"`
	Category  string     `json:"category"`
	Type      string     `json:"type"`
	ToIDs     bool       `json:"to_ids"`
	Timestamp unixString `json:"timestamp"`
	Value     string     `json:"value"`
	Deleted   bool       `json:"deleted"`
	FirstSeen *string    `json:"first_seen"`
	LastSeen  *string    `json:"last_seen"`
	Event     struct {
		ID   string `json:"id"`
		Info string `json:"info"`
	} `json:"Event"`
	Tag      []Tag      `json:"Tag"`
	Sighting []Sighting `json:"Sighting"`
}

// Tag is an attribute or (with includeEventTags) inherited event tag.
type Tag struct {
	Name     string `json:"name"`
	IsGalaxy bool   `json:"is_galaxy"`
}

// Sighting is one sighting; MISP's type "0" is a sighting, "1" a false
// positive and "2" an expiration.
type Sighting struct {
	Type         string     `json:"type"`
	DateSighting unixString `json:"date_sighting"`
	Source       string     `json:"source"`
}

// unixString is MISP's Unix time, sent as a JSON string ("1617875568")
// and by some releases as a number.
type unixString int64

func (u *unixString) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	if s == "" || s == "null" {
		*u = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("unix time %s: %w", b, err)
	}
	*u = unixString(n)
	return nil
}

func (u unixString) time() *time.Time {
	if u <= 0 {
		return nil
	}
	t := time.Unix(int64(u), 0).UTC()
	return &t
}

// Decode parses a restSearch answer ({"response":{"Attribute":[...]}}).
// Deleted attributes are dropped.
func Decode(raw []byte) ([]Attribute, error) {
	var env struct {
		Response *struct {
			Attribute []Attribute `json:"Attribute"`
		} `json:"response"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("decode attribute search: %w", err)
	}
	if env.Response == nil {
		return nil, fmt.Errorf("decode attribute search: %w", ErrShape)
	}
	attrs := env.Response.Attribute[:0]
	for _, a := range env.Response.Attribute {
		if !a.Deleted {
			attrs = append(attrs, a)
		}
	}
	return attrs, nil
}

// familyNamespaces are the galaxy tags that name a malware family or an
// actor, in the order they are preferred.
var familyNamespaces = []string{
	"misp-galaxy:malpedia=",
	"misp-galaxy:mitre-malware=",
	"misp-galaxy:ransomware=",
	"misp-galaxy:botnet=",
	"misp-galaxy:rat=",
	"misp-galaxy:threat-actor=",
	"misp-galaxy:mitre-intrusion-set=",
}

// Summarize turns the attributes that matched one value into one finding:
// malicious when some attribute is flagged for detection (to_ids) and its
// false-positive sightings do not outnumber its sightings; benign
// ("false_positive") when every flagged attribute was voted down that way;
// context when MISP holds the value only as unflagged context. ok is false
// when there is no attribute.
func Summarize(attrs []Attribute) (f alert.Finding, ok bool) {
	if len(attrs) == 0 {
		return alert.Finding{}, false
	}
	var (
		flagged, votedDown, pos, fp int
		events                      []string
		infos                       []string
		cats                        = map[string]bool{}
		families                    = map[int]string{}
		first, last                 *time.Time
	)
	for _, a := range attrs {
		p, n := 0, 0
		for _, s := range a.Sighting {
			switch s.Type {
			case "0", "":
				p++
				last = later(last, s.DateSighting.time())
			case "1":
				n++
			}
		}
		pos, fp = pos+p, fp+n
		if a.ToIDs {
			if n > p {
				votedDown++
			} else {
				flagged++
			}
		}
		if !slices.Contains(events, a.EventID) {
			events = append(events, a.EventID)
			if a.Event.Info != "" {
				infos = append(infos, a.Event.Info)
			}
		}
		if c := snake(a.Category); c != "" {
			cats[c] = true
		}
		for _, t := range a.Tag {
			name := strings.TrimSpace(t.Name)
			lower := strings.ToLower(name)
			switch {
			case strings.HasPrefix(lower, "tlp:"):
				cats[lower] = true
			case strings.HasPrefix(lower, "misp-galaxy:"):
				for i, ns := range familyNamespaces {
					if v, found := strings.CutPrefix(name, ns); found && families[i] == "" {
						families[i] = galaxyValue(v)
					}
				}
			case !strings.ContainsAny(name, ":="):
				cats[snake(name)] = true
			}
		}
		first = earlier(first, seen(a.FirstSeen, a.Timestamp))
		last = later(last, seen(a.LastSeen, a.Timestamp))
	}
	switch {
	case flagged > 0:
		f.Reputation = alert.Malicious
		f.Confidence = clamp(70+5*(len(events)-1)+2*pos-10*fp, 50, 95)
	case votedDown > 0:
		f.Reputation = alert.Benign
		f.Confidence = clamp(50+10*fp, 50, 90)
		cats["false_positive"] = true
	default:
		f.Reputation = alert.Context
	}
	f.Source = Name
	for i := range familyNamespaces {
		if families[i] != "" {
			f.Family = families[i]
			break
		}
	}
	for c := range cats {
		f.Categories = append(f.Categories, c)
	}
	slices.Sort(f.Categories)
	f.FirstSeen, f.LastSeen = first, last
	f.Detail = detail(len(attrs), flagged, len(events), infos, pos, fp)
	return f, true
}

func detail(attrs, flagged, events int, infos []string, pos, fp int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d attribute(s) in %d event(s), %d flagged for detection", attrs, events, flagged)
	if len(infos) > 0 {
		if len(infos) > 3 {
			infos = infos[:3]
		}
		fmt.Fprintf(&b, ": %s", strings.Join(quoteAll(infos), ", "))
	}
	fmt.Fprintf(&b, "; %d sighting(s), %d false positive(s)", pos, fp)
	return b.String()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if len(s) > 80 {
			s = s[:80] + "..."
		}
		out[i] = strconv.Quote(s)
	}
	return out
}

// galaxyValue strips the quotes of a galaxy tag value and MITRE's " - S0331"
// identifier suffix.
func galaxyValue(v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"`)
	if i := strings.LastIndex(v, " - "); i > 0 {
		v = v[:i]
	}
	return v
}

// snake writes a MISP category ("Network activity") as a finding
// category ("network_activity").
func snake(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
}

// seen prefers the attribute's own first_seen/last_seen (ISO 8601, MISP
// 2.4.120+) over its modification timestamp.
func seen(iso *string, ts unixString) *time.Time {
	if iso != nil && *iso != "" {
		if t, err := time.Parse(time.RFC3339Nano, *iso); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return ts.time()
}

func earlier(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.Before(*a)) {
		return b
	}
	return a
}

func later(a, b *time.Time) *time.Time {
	if a == nil || (b != nil && b.After(*a)) {
		return b
	}
	return a
}

func clamp(v, lo, hi int) int {
	return max(lo, min(hi, v))
}
