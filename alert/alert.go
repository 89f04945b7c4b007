package alert

import (
	"encoding/json"
	"time"
)

// Alert is one security alert in canonical form, whatever product raised it.
// Normalisers fill it; later stages only read it. Raw keeps the vendor's
// payload byte for byte so that nothing the source said is lost.
type Alert struct {
	// Tenant is the client organisation the alert belongs to.
	Tenant string `json:"tenant"`
	// Source is the format/product that raised it ("wazuh", "suricata", ...).
	Source string `json:"source"`
	// ID is the source's own alert ID, or a stable content hash when the
	// source has none (see ContentID).
	ID string `json:"id"`
	// Time is when the detected activity happened, in UTC.
	Time time.Time `json:"time"`
	// Title is the one-line name of the detection.
	Title string `json:"title"`
	// Description is free text from the source, if any.
	Description string `json:"description,omitempty"`
	// Severity is the source severity mapped onto Winnow's scale.
	Severity Severity `json:"severity"`
	// SourceSeverity is the severity as the source expressed it ("12", "3", "High").
	SourceSeverity string `json:"source_severity,omitempty"`
	// Rule identifies the detection logic that fired.
	Rule Rule `json:"rule"`
	// Entities are the structured things the alert is about.
	Entities Entities `json:"entities"`
	// Techniques are ATT&CK technique IDs the source itself named (T1059.001).
	Techniques []string `json:"techniques,omitempty"`
	// Text holds further free text worth mining for observables (a log line,
	// an HTTP URL, a payload printout) that is not the title or description.
	Text []string `json:"text,omitempty"`
	// Raw is the vendor payload exactly as received.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Rule is the detection that fired: OCSF finding_info.analytic.
type Rule struct {
	ID   string   `json:"id,omitempty"`
	Name string   `json:"name,omitempty"`
	Tags []string `json:"tags,omitempty"`
	// Category is the source's own classification ("Web Application Attack",
	// "authentication_failed").
	Category string `json:"category,omitempty"`
}

// Entities are the structured subjects and objects of an alert.
type Entities struct {
	Hosts     []Host     `json:"hosts,omitempty"`
	Users     []User     `json:"users,omitempty"`
	Src       []Endpoint `json:"src,omitempty"`
	Dst       []Endpoint `json:"dst,omitempty"`
	Processes []Process  `json:"processes,omitempty"`
	Files     []File     `json:"files,omitempty"`
	Email     *Email     `json:"email,omitempty"`
	URLs      []string   `json:"urls,omitempty"`
	Domains   []string   `json:"domains,omitempty"`
}

// Host is a device the alert concerns (OCSF device).
type Host struct {
	Name string `json:"name,omitempty"`
	IP   string `json:"ip,omitempty"`
	ID   string `json:"id,omitempty"`
}

// User is an account the alert concerns (OCSF user).
type User struct {
	Name   string `json:"name"`
	Domain string `json:"domain,omitempty"`
}

// Endpoint is one side of a network connection (OCSF network_endpoint).
type Endpoint struct {
	IP       string `json:"ip,omitempty"`
	Port     int    `json:"port,omitempty"`
	Hostname string `json:"hostname,omitempty"`
}

// Process is a running program (OCSF process).
type Process struct {
	Name        string `json:"name,omitempty"`
	Path        string `json:"path,omitempty"`
	CommandLine string `json:"cmd_line,omitempty"`
	PID         int    `json:"pid,omitempty"`
	Parent      string `json:"parent,omitempty"`
}

// File is a file the alert concerns (OCSF file) with whatever hashes are known.
type File struct {
	Name   string `json:"name,omitempty"`
	Path   string `json:"path,omitempty"`
	MD5    string `json:"md5,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// Email is a message the alert concerns (OCSF email).
type Email struct {
	From    string   `json:"from,omitempty"`
	To      []string `json:"to,omitempty"`
	Subject string   `json:"subject,omitempty"`
}
