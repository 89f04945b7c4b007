package ioc

import (
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// Alert appends the distinct observables of a canonical alert to dst:
// first its structured entities (with the role they play), then whatever the
// free text holds (description, extra text, command lines). The title is not
// mined: signature names such as "ET INFO Observed DNS Query to .cloud TLD"
// describe a class of traffic, not an indicator.
func (x *Extractor) Alert(dst []alert.Observable, a *alert.Alert) []alert.Observable {
	e := &a.Entities
	for _, ep := range e.Src {
		dst = x.Add(dst, alert.IPv4, ep.IP, "src")
		dst = x.endpointName(dst, ep.Hostname, "src")
	}
	for _, ep := range e.Dst {
		dst = x.Add(dst, alert.IPv4, ep.IP, "dst")
		dst = x.endpointName(dst, ep.Hostname, "dst")
	}
	for _, h := range e.Hosts {
		dst = x.Add(dst, alert.HostID, h.Name, "host")
		dst = x.Add(dst, alert.IPv4, h.IP, "host")
	}
	for _, u := range e.Users {
		name := u.Name
		if u.Domain != "" && !strings.ContainsAny(name, `\@`) {
			name = u.Domain + `\` + name
		}
		dst = x.Add(dst, alert.UserID, name, "user")
	}
	if m := e.Email; m != nil {
		dst = x.Text(dst, m.From, "sender")
		for _, to := range m.To {
			dst = x.Text(dst, to, "recipient")
		}
	}
	for _, u := range e.URLs {
		dst = x.Text(dst, u, "url")
	}
	for _, d := range e.Domains {
		dst = x.Add(dst, alert.Domain, d, "domain")
	}
	for _, p := range e.Processes {
		name := p.Path
		if name == "" {
			name = p.Name
		}
		dst = x.Add(dst, alert.ProcID, name, "process")
	}
	for _, f := range e.Files {
		name := f.Path
		if name == "" {
			name = f.Name
		}
		dst = x.Add(dst, alert.FileID, name, "file")
		dst = x.Add(dst, alert.MD5, f.MD5, "file")
		dst = x.Add(dst, alert.SHA1, f.SHA1, "file")
		dst = x.Add(dst, alert.SHA256, f.SHA256, "file")
	}
	if a.Description != "" {
		dst = x.Text(dst, a.Description, "text")
	}
	for _, t := range a.Text {
		dst = x.Text(dst, t, "text")
	}
	for _, p := range e.Processes {
		if p.CommandLine != "" {
			dst = x.Text(dst, p.CommandLine, "cmd_line")
		}
	}
	return dst
}

// endpointName adds an endpoint's host name as a domain when it is a
// resolvable name, else as a host.
func (x *Extractor) endpointName(dst []alert.Observable, name, role string) []alert.Observable {
	if name == "" {
		return dst
	}
	n := len(dst)
	dst = x.Add(dst, alert.Domain, name, role)
	if len(dst) == n && !strings.Contains(name, ".") {
		dst = x.Add(dst, alert.HostID, name, role)
	}
	return dst
}
