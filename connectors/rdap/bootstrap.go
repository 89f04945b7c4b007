package rdap

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/winnow-soc/winnow/connector"
)

// Bootstrap file names (RFC 9224, section 3).
const (
	fileDNS  = "dns.json"
	fileIPv4 = "ipv4.json"
	fileIPv6 = "ipv6.json"
)

// bootstrapFile is the documented registry format: services is a list of
// [[entries...], [service URLs...]] pairs.
type bootstrapFile struct {
	Version     string       `json:"version"`
	Publication string       `json:"publication"`
	Services    [][][]string `json:"services"`
}

// registry is a loaded bootstrap: the only RDAP servers the connector calls.
type registry struct {
	dns map[string]*url.URL // lower-case DNS label suffix -> server
	ip  []prefixServer
}

type prefixServer struct {
	prefix netip.Prefix
	server *url.URL
}

// parseBootstrap decodes one bootstrap file into reg. kind is the file name.
func parseBootstrap(reg *registry, kind string, body []byte) error {
	var f bootstrapFile
	if err := json.Unmarshal(body, &f); err != nil {
		return connector.Errorf(connector.Permanent, "rdap: decode bootstrap %s: %w", kind, err)
	}
	if f.Version == "" || f.Services == nil {
		return connector.Errorf(connector.Permanent, "rdap: bootstrap %s has no version or services", kind)
	}
	for _, svc := range f.Services {
		if len(svc) != 2 {
			return connector.Errorf(connector.Permanent, "rdap: bootstrap %s: service with %d members, want 2", kind, len(svc))
		}
		server := pickServer(svc[1])
		if server == nil {
			continue
		}
		for _, entry := range svc[0] {
			if kind == fileDNS {
				reg.dns[strings.ToLower(strings.Trim(entry, "."))] = server
				continue
			}
			p, err := netip.ParsePrefix(entry)
			if err != nil {
				return connector.Errorf(connector.Permanent, "rdap: bootstrap %s: entry %q: %w", kind, entry, err)
			}
			reg.ip = append(reg.ip, prefixServer{p.Masked(), server})
		}
	}
	return nil
}

// pickServer prefers an https service URL, as RFC 9224 recommends, and
// falls back to http; anything else is ignored. The URL always ends in "/"
// so that "domain/..." and "ip/..." resolve below it.
func pickServer(urls []string) *url.URL {
	var fallback *url.URL
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.User != nil {
			continue
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		switch u.Scheme {
		case "https":
			return u
		case "http":
			if fallback == nil {
				fallback = u
			}
		}
	}
	return fallback
}

// domainServer finds the server for a domain by its longest matching label
// suffix; nil when no registry publishes RDAP for it.
func (r *registry) domainServer(name string) *url.URL {
	name = strings.ToLower(strings.Trim(name, "."))
	for {
		if s, ok := r.dns[name]; ok {
			return s
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return nil
		}
		name = name[i+1:]
	}
}

// ipServer finds the server for an address by its longest matching prefix.
func (r *registry) ipServer(ip netip.Addr) *url.URL {
	var best *prefixServer
	for i := range r.ip {
		p := &r.ip[i]
		if p.prefix.Contains(ip) && (best == nil || p.prefix.Bits() > best.prefix.Bits()) {
			best = p
		}
	}
	if best == nil {
		return nil
	}
	return best.server
}

func newRegistry() *registry { return &registry{dns: map[string]*url.URL{}} }

// errNoBootstrap wraps a bootstrap that could not be loaded.
func errNoBootstrap(kind string, err error) error {
	return fmt.Errorf("rdap: load bootstrap %s: %w", kind, err)
}
