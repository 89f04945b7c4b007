package config

import (
	"net/netip"
	"time"
)

// Config is the whole Winnow configuration. Treat a Config returned by
// Load, Parse or Default as read-only: its tenants hold precomputed indexes
// that later edits would not update (call Resolve again after editing).
type Config struct {
	// DataDir holds downloaded feeds, the database and other state.
	DataDir string `yaml:"data_dir" json:"data_dir"`
	// Intel lists the offline threat-intel feeds.
	Intel Intel `yaml:"intel" json:"intel"`
	// IOC tunes observable extraction for every tenant.
	IOC IOC `yaml:"ioc" json:"ioc"`
	// DefaultTenant is the tenant of an alert that no routing rule claims.
	DefaultTenant string `yaml:"default_tenant" json:"default_tenant"`
	// Tenants are the client organisations, in file order.
	Tenants []Tenant `yaml:"tenants" json:"tenants"`
	// Formats configures input formats beyond the built-in ones.
	Formats Formats `yaml:"formats" json:"formats,omitzero"`
	// Enrichers are the online threat-intel providers (enrichers.go);
	// EnrichDeadline bounds their work per alert (zero: 2s).
	Enrichers      []Enricher    `yaml:"enrichers" json:"enrichers,omitempty"`
	EnrichDeadline time.Duration `yaml:"enrich_deadline" json:"enrich_deadline,omitempty"`

	// byID indexes Tenants by ID once resolved; nil until then.
	byID map[string]int
}

// Intel configures the offline threat-intel feeds.
type Intel struct {
	Feeds []Feed `yaml:"feeds" json:"feeds"`
	// IPsumMaliciousMin is how many blacklists must list an IP before the
	// IPsum feed calls it malicious rather than suspicious.
	IPsumMaliciousMin int `yaml:"ipsum_malicious_min" json:"ipsum_malicious_min"`
}

// Feed kinds understood by the intel stage.
const (
	FeedMaltrail          = "maltrail"
	FeedIPsum             = "ipsum"
	FeedTor               = "tor"
	FeedMISPWarninglists  = "misp_warninglists"
	FeedSTIX              = "stix"
	FeedASN               = "asn"
	FeedMMDBCountry       = "mmdb_country"
	feedKindsForMessages  = "maltrail, ipsum, tor, misp_warninglists, stix, asn, mmdb_country"
	reliabilityForMessage = "A, B, C, D, E, F"
)

// Feed is one offline intel source read from a local file.
type Feed struct {
	// Name is the feed's unique name; findings carry it as their source.
	Name string `yaml:"name" json:"name"`
	// Kind selects the parser (FeedMaltrail, FeedIPsum, ...).
	Kind string `yaml:"kind" json:"kind"`
	// Path is the local file or archive; relative paths are resolved
	// against the configuration file's directory.
	Path string `yaml:"path" json:"path"`
	// Reliability is the Admiralty source reliability, A (best) to F.
	Reliability string `yaml:"reliability" json:"reliability"`
	// URL is the optional upstream that `winnow intel update` downloads Path from.
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
}

// IOC tunes observable extraction.
type IOC struct {
	// InternalDomains are the organisation's own domains (and their
	// subdomains) for every tenant; tenants add their own.
	InternalDomains []string `yaml:"internal_domains" json:"internal_domains"`
}

// Mode is how far a tenant lets Winnow act on its own.
type Mode string

// Modes, from least to most autonomous.
const (
	// ModeShadow decides and records, acts on nothing.
	ModeShadow Mode = "shadow"
	// ModeAssisted proposes every action for an analyst to approve.
	ModeAssisted Mode = "assisted"
	// ModeSemiAutonomous auto-closes only very low scores and runs
	// low-risk actions; everything else goes to an analyst.
	ModeSemiAutonomous Mode = "semi_autonomous"
	// ModeAutonomous auto-closes below the review threshold and runs
	// approved actions.
	ModeAutonomous Mode = "autonomous"
)

// Tenant is one client organisation with its own context and policy.
type Tenant struct {
	// ID is the tenant's unique key, [a-z0-9_-]{1,64}.
	ID string `yaml:"id" json:"id"`
	// Name is the display name; it defaults to ID.
	Name string `yaml:"name" json:"name"`
	// TimeZone is an IANA zone name used for business hours.
	TimeZone string `yaml:"time_zone" json:"time_zone"`
	// BusinessHours is the tenant's working week in TimeZone.
	BusinessHours BusinessHours `yaml:"business_hours" json:"business_hours"`
	// Thresholds turn a 0-100 score into a disposition.
	Thresholds Thresholds `yaml:"thresholds" json:"thresholds"`
	// Mode is the autonomy level (ModeShadow by default).
	Mode Mode `yaml:"mode" json:"mode"`
	// InternalDomains add to the global ioc.internal_domains.
	InternalDomains []string `yaml:"internal_domains" json:"internal_domains"`
	// Match routes alerts to this tenant by agent or host name.
	Match Match `yaml:"match" json:"match"`
	// Assets is the inventory: inline entries, then AssetsFile rows.
	Assets []Asset `yaml:"assets" json:"assets"`
	// AssetsFile is a CSV inventory (name,ips,criticality,owner,tags).
	AssetsFile string `yaml:"assets_file,omitempty" json:"assets_file,omitempty"`
	// Identities are the known accounts: inline, then IdentitiesFile rows.
	Identities []Identity `yaml:"identities" json:"identities"`
	// IdentitiesFile is a CSV directory extract (user,vip,role[,department]).
	IdentitiesFile string `yaml:"identities_file,omitempty" json:"identities_file,omitempty"`
	// PolicyFile is a business-rules policy (CEL, docs/policies.md) used
	// instead of the built-in content/policies/default.yaml.
	PolicyFile string `yaml:"policy_file,omitempty" json:"policy_file,omitempty"`

	// ix holds the lookups Resolve precomputes; nil until then.
	ix *tenantIndex
	// policy is PolicyFile's content, read by Load.
	policy []byte
}

// SetPolicy replaces the tenant's business-rules policy, as a policy dry
// run does with a candidate file.
func (t *Tenant) SetPolicy(name string, src []byte) {
	t.PolicyFile, t.policy = name, src
}

// Policy returns the tenant's own business-rules policy (file name and
// content) as Load read it; ok is false when the tenant uses the default.
func (t *Tenant) Policy() (name string, src []byte, ok bool) {
	return t.PolicyFile, t.policy, t.PolicyFile != "" && t.policy != nil
}

// BusinessHours is a weekly working window in the tenant's time zone. When
// End is before Start the window runs past midnight into the next day.
type BusinessHours struct {
	// Days are lower-case three-letter weekday names ("mon" ... "sun").
	Days []string `yaml:"days" json:"days"`
	// Start and End are "HH:MM" local times; End may be "24:00".
	Start string `yaml:"start" json:"start"`
	End   string `yaml:"end" json:"end"`
}

// Thresholds turn a score into a disposition; internal/classify applies them
// (score > Escalate escalates, >= Investigate investigates, >= Review goes to
// review, lower auto-closes; semi-autonomous mode auto-closes only below
// AutoCloseBelow).
type Thresholds struct {
	Escalate       int `yaml:"escalate" json:"escalate"`
	Investigate    int `yaml:"investigate" json:"investigate"`
	Review         int `yaml:"review" json:"review"`
	AutoCloseBelow int `yaml:"auto_close_below" json:"auto_close_below"`

	// set records which fields the YAML wrote, so that an explicit 0 is
	// kept while an omitted field takes its default.
	set thresholdFields
}

// Match routes alerts to a tenant. An entry matches a name exactly, case
// insensitively, or as a prefix when it ends in "*" ("acme-*").
type Match struct {
	// AgentNames match the name of the agent or sensor that raised the alert.
	AgentNames []string `yaml:"agent_names,omitempty" json:"agent_names,omitempty"`
	// Hosts match the names of the hosts the alert concerns.
	Hosts []string `yaml:"hosts,omitempty" json:"hosts,omitempty"`
}

// Asset criticalities, from least to most critical.
const (
	CriticalityLow      = "low"
	CriticalityMedium   = "medium"
	CriticalityHigh     = "high"
	CriticalityCritical = "critical"
)

// Asset is one inventory entry.
type Asset struct {
	// Name is the host name, matched case-insensitively, also by its short
	// form before the first dot.
	Name string `yaml:"name" json:"name"`
	// IPs are addresses or CIDR ranges that belong to the asset.
	IPs []string `yaml:"ips" json:"ips"`
	// Criticality is low, medium (the default), high or critical.
	Criticality string   `yaml:"criticality" json:"criticality"`
	Owner       string   `yaml:"owner,omitempty" json:"owner,omitempty"`
	Tags        []string `yaml:"tags,omitempty" json:"tags,omitempty"`

	// origin is "file:line" for rows read from a CSV file.
	origin string
}

// Identity roles.
const (
	RoleUser      = "user"
	RoleAdmin     = "admin"
	RoleService   = "service"
	RoleExecutive = "executive"
)

// Identity is one known account.
type Identity struct {
	// User is the account name; DOMAIN\user and user@domain forms also
	// match the bare name.
	User       string `yaml:"user" json:"user"`
	VIP        bool   `yaml:"vip" json:"vip"`
	Role       string `yaml:"role" json:"role"`
	Department string `yaml:"department,omitempty" json:"department,omitempty"`

	// origin is "file:line" for rows read from a CSV file.
	origin string
}

// tenantIndex is what Resolve precomputes for one tenant.
type tenantIndex struct {
	loc       *time.Location
	days      [7]bool // indexed by time.Weekday
	start     int     // minutes after midnight
	end       int     // minutes after midnight, up to 1440
	byName    map[string]int
	byShort   map[string]int
	byIP      map[netip.Addr]int
	prefixes  []prefixTable // longest prefix length first
	users     map[string]int
	bareUsers map[string]int
	domains   []string // lower-case, no trailing dot
}

// prefixTable maps masked prefixes of one length to an asset index.
type prefixTable struct {
	bits int
	v6   bool
	m    map[netip.Prefix]int
}
