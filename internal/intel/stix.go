package intel

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/intel/stixpattern"
)

// STIX 2.0 and 2.1 bundles (*.json, e.g. github.com/pan-unit42/playbook_viewer):
// {"type": "bundle", "objects": [...]}. Every indicator whose pattern is a
// STIX pattern contributes the values its equality comparisons name, for
// ipv4-addr, ipv6-addr (an address or a CIDR), domain-name, url, email-addr
// and file hashes (MD5, SHA-1, SHA-256). Comparisons that are negated, use
// other operators or other paths are ignored, and so is a pattern that does
// not parse. A value ANDed with other conditions is kept with a lower
// confidence, since the indicator needs more than that value to match.
//
// The family is the malware or intrusion set an "indicates" relationship
// points the indicator at, else the bundle's first malware, intrusion set
// or report name.

type stixIndicator struct {
	family string
	conf   int
	cats   []string
	detail string
	asOf   *time.Time
}

type stixFeed struct {
	base   base
	inds   []stixIndicator
	values map[string]uint32
	cidrs  rangeIndex
}

type stixObject struct {
	Type           string   `json:"type"`
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	Labels         []string `json:"labels"`
	IndicatorTypes []string `json:"indicator_types"`
	Modified       string   `json:"modified"`
	Revoked        bool     `json:"revoked"`
	Confidence     *int     `json:"confidence"`
	Relationship   string   `json:"relationship_type"`
	SourceRef      string   `json:"source_ref"`
	TargetRef      string   `json:"target_ref"`
}

type stixBundle struct {
	Type    string       `json:"type"`
	Objects []stixObject `json:"objects"`
}

func loadSTIX(ctx context.Context, fs *files, b base) (source, meta, error) {
	type named struct {
		name   string
		bundle stixBundle
	}
	var bundles []named
	err := fs.each(ctx, func(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".json") }, func(name string, data []byte) error {
		var bd stixBundle
		if err := json.Unmarshal(data, &bd); err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		if bd.Type != "bundle" {
			return fmt.Errorf("parse %s: type %q is not a bundle", name, bd.Type)
		}
		bundles = append(bundles, named{name, bd})
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if len(bundles) == 0 {
		return nil, meta{}, errors.New("no STIX bundle (*.json) found")
	}
	slices.SortFunc(bundles, func(x, y named) int { return cmp.Compare(x.name, y.name) })
	s := &stixFeed{base: b, values: map[string]uint32{}}
	var ivs []interval
	for _, bd := range bundles {
		s.addBundle(baseName(bd.name), bd.bundle, &ivs)
	}
	s.cidrs = buildRangeIndex(ivs)
	return s, meta{}, nil
}

func (s *stixFeed) addBundle(file string, bd stixBundle, ivs *[]interval) {
	names := map[string]string{}
	var family string
	for _, kind := range []string{"malware", "intrusion-set", "report"} {
		for _, o := range bd.Objects {
			if o.Type == kind && o.Name != "" {
				names[o.ID] = o.Name
				if family == "" {
					family = o.Name
				}
			}
		}
	}
	indicates := map[string]string{}
	for _, o := range bd.Objects {
		if o.Type == "relationship" && o.Relationship == "indicates" && strings.HasPrefix(o.SourceRef, "indicator--") {
			if n, ok := names[o.TargetRef]; ok && !strings.HasPrefix(o.TargetRef, "report--") {
				if _, seen := indicates[o.SourceRef]; !seen {
					indicates[o.SourceRef] = n
				}
			}
		}
	}
	for _, o := range bd.Objects {
		if o.Type != "indicator" || o.Revoked || (o.PatternType != "" && o.PatternType != "stix") {
			continue
		}
		comps, err := stixpattern.Parse(o.Pattern)
		if err != nil {
			continue
		}
		ind := stixIndicator{family: family, conf: 80, detail: "STIX indicator " + o.ID + " in " + file}
		if n, ok := indicates[o.ID]; ok {
			ind.family = n
		}
		if o.Confidence != nil && *o.Confidence >= 0 && *o.Confidence <= 100 {
			ind.conf = *o.Confidence
		}
		ind.cats = slices.Clip(append(slices.Clone(o.IndicatorTypes), o.Labels...))
		if t, err := time.Parse(time.RFC3339, o.Modified); err == nil {
			ind.asOf = timePtr(t.UTC())
		}
		idx := uint32(len(s.inds)) << 1
		used := false
		for _, c := range comps {
			if !c.Equality() {
				continue
			}
			v := idx
			if c.Conjunct {
				v |= 1
			}
			for _, val := range c.Values {
				if key, pf, ok := stixValue(c.ObjectType, c.Path, val); ok {
					used = true
					if pf.IsValid() {
						lo, hi := prefixBounds(pf)
						*ivs = append(*ivs, interval{lo, hi, v})
					} else if _, dup := s.values[key]; !dup {
						s.values[key] = v
					}
				}
			}
		}
		if used {
			s.inds = append(s.inds, ind)
		}
	}
}

// stixValue maps one equality comparison to a lookup key, or to a prefix
// for address ranges; ok is false for paths and values Winnow cannot use.
func stixValue(objType, path, val string) (key string, pf netip.Prefix, ok bool) {
	val = strings.TrimSpace(val)
	switch objType + ":" + strings.ToLower(path) {
	case "ipv4-addr:value", "ipv6-addr:value":
		if a, err := netip.ParseAddr(val); err == nil && a.Zone() == "" {
			return a.Unmap().String(), netip.Prefix{}, true
		}
		if p, err := netip.ParsePrefix(val); err == nil {
			if p.IsSingleIP() {
				return p.Addr().Unmap().String(), netip.Prefix{}, true
			}
			return "", p, true
		}
		return "", netip.Prefix{}, false
	case "domain-name:value":
		d := lower(strings.Trim(val, "."))
		return d, netip.Prefix{}, d != "" && !strings.ContainsAny(d, "/: ")
	case "url:value":
		return val, netip.Prefix{}, strings.Contains(val, "://")
	case "email-addr:value", "email-message:from_ref.value", "email-message:sender_ref.value":
		e := lower(val)
		return e, netip.Prefix{}, strings.Contains(e, "@")
	}
	if objType != "file" || !strings.HasPrefix(path, "hashes.") {
		return "", netip.Prefix{}, false
	}
	want := map[string]int{"md5": 32, "sha1": 40, "sha256": 64}[strings.ReplaceAll(strings.ToLower(path[len("hashes."):]), "-", "")]
	h := lower(val)
	if want == 0 || len(h) != want {
		return "", netip.Prefix{}, false
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", netip.Prefix{}, false
	}
	return h, netip.Prefix{}, true
}

func (s *stixFeed) entries() int { return len(s.values) + s.cidrs.len() }

func (s *stixFeed) lookup(dst []alert.Finding, q query) []alert.Finding {
	if q.typ != alert.IPv4 && q.typ != alert.IPv6 && q.typ != alert.Domain {
		if v, ok := s.values[q.value]; ok {
			return s.emit(dst, v)
		}
	}
	if q.ipText != "" {
		if v, ok := s.values[q.ipText]; ok {
			return s.emit(dst, v)
		}
		if set := s.cidrs.find(q.ipKey); set != nil {
			return s.emit(dst, set[0])
		}
	}
	if q.host != "" {
		if v, ok := s.values[q.host]; ok {
			return s.emit(dst, v)
		}
	}
	return dst
}

func (s *stixFeed) emit(dst []alert.Finding, v uint32) []alert.Finding {
	ind := &s.inds[v>>1]
	conf := ind.conf
	detail := ind.detail
	if v&1 != 0 {
		conf = conf * 3 / 4
		detail += " (one condition of several)"
	}
	f := s.base.finding(alert.Malicious, conf, ind.asOf)
	f.Family = ind.family
	f.Categories = ind.cats
	f.Detail = detail
	return append(dst, f)
}
