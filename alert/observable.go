package alert

import (
	"encoding/json"
	"time"
)

// ObservableType names the kind of an observable.
type ObservableType string

// Observable types extracted from text and structured fields.
const (
	IPv4    ObservableType = "ipv4"
	IPv6    ObservableType = "ipv6"
	Domain  ObservableType = "domain"
	URL     ObservableType = "url"
	EmailAd ObservableType = "email"
	MD5     ObservableType = "md5"
	SHA1    ObservableType = "sha1"
	SHA256  ObservableType = "sha256"
	CVE     ObservableType = "cve"
	UserID  ObservableType = "user"
	HostID  ObservableType = "host"
	ProcID  ObservableType = "process"
	FileID  ObservableType = "file"
)

// Observable is one canonical indicator found in an alert, with the evidence
// that enrichment found for it.
type Observable struct {
	Type  ObservableType `json:"type"`
	Value string         `json:"value"`
	// Class refines the type: for IPs "public", "private", "loopback" or
	// "reserved"; for domains "internal" or "external".
	Class string `json:"class,omitempty"`
	// Role says where it came from in the alert: "src", "dst", "host",
	// "sender", "recipient", "text"...
	Role string `json:"role,omitempty"`
	// Findings is the evidence enrichment found, in a stable order.
	Findings []Finding `json:"findings,omitempty"`
}

// Reputation is an enrichment source's verdict about one observable.
type Reputation string

// Reputations, from worst to best.
const (
	Malicious  Reputation = "malicious"
	Suspicious Reputation = "suspicious"
	Benign     Reputation = "benign"
	Unknown    Reputation = "unknown"
	// Context carries facts without a verdict (ASN, country, registration).
	Context Reputation = "context"
)

// Finding is one piece of evidence about an observable from one source.
type Finding struct {
	// Source names the feed or provider ("maltrail", "ipsum", "asn").
	Source string `json:"source"`
	// Reputation is the source's verdict.
	Reputation Reputation `json:"reputation"`
	// Reliability is the configured Admiralty reliability of the source, A-F.
	Reliability string `json:"reliability,omitempty"`
	// Confidence is 0-100: how sure the source is of this verdict.
	Confidence int `json:"confidence,omitempty"`
	// Categories are the source's labels ("malware", "tor_exit", "scanner").
	Categories []string `json:"categories,omitempty"`
	// Family is the malware family or actor, if any.
	Family string `json:"family,omitempty"`
	// Detail is a short human-readable explanation.
	Detail string `json:"detail,omitempty"`
	// FirstSeen and LastSeen bound the source's sightings, when known.
	FirstSeen *time.Time `json:"first_seen,omitempty"`
	LastSeen  *time.Time `json:"last_seen,omitempty"`
	// AsOf is when the source's data was produced (the feed's age).
	AsOf *time.Time `json:"as_of,omitempty"`
	// Raw is the provider's response for this observable. Online
	// enrichment keeps it in the cache; the decision output omits it.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Relation links two observables, as enrichment found them (an IP resolves
// to a domain, a domain presents a certificate, an IP belongs to an ASN).
type Relation struct {
	From   string `json:"from"` // "type:value"
	To     string `json:"to"`   // "type:value"
	Kind   string `json:"kind"` // "resolves_to", "belongs_to", "presents", "hosts", ...
	Source string `json:"source"`
}
