package rdap

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
)

// object holds the RFC 9083 fields the connector reads from a domain or IP
// network object.
type object struct {
	ObjectClassName string   `json:"objectClassName"`
	Handle          string   `json:"handle"`
	LDHName         string   `json:"ldhName"`
	Name            string   `json:"name"`
	Country         string   `json:"country"`
	StartAddress    string   `json:"startAddress"`
	EndAddress      string   `json:"endAddress"`
	Events          []event  `json:"events"`
	Entities        []entity `json:"entities"`
}

type event struct {
	EventAction string `json:"eventAction"`
	EventDate   string `json:"eventDate"`
}

type entity struct {
	Handle     string          `json:"handle"`
	Roles      []string        `json:"roles"`
	VCardArray json.RawMessage `json:"vcardArray"`
	Entities   []entity        `json:"entities"`
}

func decode(body []byte, class string) (object, error) {
	var o object
	if err := json.Unmarshal(body, &o); err != nil {
		return o, connector.Errorf(connector.Permanent, "rdap: decode %s object: %w", class, err)
	}
	if o.ObjectClassName != class {
		return o, connector.Errorf(connector.Permanent, "rdap: objectClassName %q, want %q", o.ObjectClassName, class)
	}
	return o, nil
}

// parseDomain turns a domain object into one finding. A domain registered
// fewer than newDays before now is suspicious and newly registered.
func parseDomain(body []byte, now time.Time, newDays int) ([]alert.Finding, error) {
	o, err := decode(body, "domain")
	if err != nil {
		return nil, err
	}
	f := alert.Finding{Source: Name, Reputation: alert.Context, Raw: json.RawMessage(body)}
	reg := eventDate(o.Events, "registration")
	f.FirstSeen = reg
	f.AsOf = eventDate(o.Events, "last update of RDAP database")
	var parts []string
	if reg != nil {
		age := int(now.Sub(*reg).Hours() / 24)
		parts = append(parts, fmt.Sprintf("registered %s (%d days ago)", reg.Format(time.DateOnly), age))
		if age < newDays {
			f.Reputation, f.Confidence = alert.Suspicious, 60
			f.Categories = []string{"newly_registered"}
		}
	}
	if r := role(o.Entities, "registrar"); r != "" {
		parts = append(parts, "registrar "+r)
	}
	if len(parts) == 0 {
		parts = append(parts, "RDAP record without registration date or registrar")
	}
	f.Detail = strings.ToLower(o.LDHName) + ": " + strings.Join(parts, ", ")
	return []alert.Finding{f}, nil
}

// parseIP turns an IP network object into one context finding.
func parseIP(body []byte) ([]alert.Finding, error) {
	o, err := decode(body, "ip network")
	if err != nil {
		return nil, err
	}
	f := alert.Finding{Source: Name, Reputation: alert.Context, Raw: json.RawMessage(body)}
	f.AsOf = eventDate(o.Events, "last changed")
	d := fmt.Sprintf("network %s (%s, %s - %s)", o.Name, o.Handle, o.StartAddress, o.EndAddress)
	if o.Country != "" {
		d += " country " + o.Country
	}
	if r := role(o.Entities, "registrant"); r != "" {
		d += ", registrant " + r
	}
	f.Detail = d
	return []alert.Finding{f}, nil
}

// eventDate is the date of the first event with the action, nil if none.
func eventDate(events []event, action string) *time.Time {
	for _, e := range events {
		if e.EventAction != action {
			continue
		}
		if t, err := time.Parse(time.RFC3339, e.EventDate); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// role names the first entity (searched depth first) with the role: its
// vCard full name, else its handle.
func role(entities []entity, want string) string {
	for _, e := range entities {
		for _, r := range e.Roles {
			if r == want {
				if fn := vcardFN(e.VCardArray); fn != "" {
					return fn
				}
				return e.Handle
			}
		}
		if n := role(e.Entities, want); n != "" {
			return n
		}
	}
	return ""
}

// vcardFN reads "fn" from a jCard (RFC 7095): ["vcard", [[name, params,
// type, value], ...]].
func vcardFN(raw json.RawMessage) string {
	var card []json.RawMessage
	if json.Unmarshal(raw, &card) != nil || len(card) != 2 {
		return ""
	}
	var props [][]json.RawMessage
	if json.Unmarshal(card[1], &props) != nil {
		return ""
	}
	for _, p := range props {
		var name, value string
		if len(p) == 4 && json.Unmarshal(p[0], &name) == nil && name == "fn" && json.Unmarshal(p[3], &value) == nil {
			return value
		}
	}
	return ""
}
