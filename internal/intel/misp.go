package intel

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/winnow-soc/winnow/alert"
)

// MISP warning lists (github.com/MISP/misp-warninglists, lists/<name>/list.json):
// JSON objects with name, description, type, list and matching_attributes.
// Types handled: cidr (IPv4 and IPv6 addresses and ranges), hostname (a
// domain and its subdomains), string (exact values: domains, hashes, URLs,
// e-mail addresses; an entry with a leading dot matches subdomains). The
// regex and substring types are skipped: they would need a scan per lookup
// and their lists (disposable e-mail domains, phone numbers, sandboxes) are
// not worth that cost or the false matches of naive substring tests.
//
// A warning list names values that are known false positives, so a match is
// a strong negative signal: Reputation benign, Detail the list name. A few
// lists describe infrastructure that attackers rent as readily as anyone
// (dynamic DNS, URL shorteners, parking, free hosting): those give a
// Reputation context finding with a category instead, never benign. A
// hostname entry that is itself a public suffix (github.io, duckdns.org)
// matches only itself, never its subdomains, because anyone can register
// one of those.

// maxMISPLists bounds the number of lists, so lookups can mark the lists
// they matched in a fixed-size bit set on the stack.
const maxMISPLists = 512

// contextCategory returns the category of a list whose matches are facts,
// not verdicts; ok is false for the lists that mean "benign".
func contextCategory(id string) (cat string, ok bool) {
	switch id {
	case "dynamic-dns":
		return "dynamic_dns", true
	case "lots-project":
		return "living_off_trusted_sites", true
	case "url-shortener":
		return "url_shortener", true
	case "link-in-bio":
		return "link_in_bio", true
	case "public-ipfs-gateways":
		return "ipfs_gateway", true
	case "parking-domain", "parking-domain-ns":
		return "parking", true
	case "tlds", "second-level-tlds":
		return "tld", true
	case "sinkholes":
		return "sinkhole", true
	case "whats-my-ip", "findip-host":
		return "whats_my_ip", true
	case "vpn-ipv4", "vpn-ipv6":
		return "vpn", true
	case "disposable-email":
		return "disposable_email", true
	}
	return "", false
}

type mispList struct {
	rep   alert.Reputation
	conf  int
	cats  []string
	name  string
	asOf  *time.Time
	types typeMask
}

// typeMask is a set of observable types a list applies to.
type typeMask uint8

const (
	maskIP typeMask = 1 << iota
	maskDomain
	maskURL
	maskMD5
	maskSHA1
	maskSHA256
	maskEmail
	maskAll typeMask = 1<<iota - 1
)

func maskOf(t alert.ObservableType) typeMask {
	switch t {
	case alert.IPv4, alert.IPv6:
		return maskIP
	case alert.Domain:
		return maskDomain
	case alert.URL:
		return maskURL
	case alert.MD5:
		return maskMD5
	case alert.SHA1:
		return maskSHA1
	case alert.SHA256:
		return maskSHA256
	case alert.EmailAd:
		return maskEmail
	}
	return 0
}

// attributeMask maps MISP matching_attributes to the observable types they
// cover; no recognised attribute means every type.
func attributeMask(attrs []string) typeMask {
	var m typeMask
	for _, a := range attrs {
		for part := range strings.SplitSeq(a, "|") {
			switch {
			case strings.HasPrefix(part, "ip"):
				m |= maskIP
			case part == "domain" || part == "hostname":
				m |= maskDomain
			case part == "url" || part == "uri" || part == "link":
				m |= maskURL
			case part == "md5":
				m |= maskMD5
			case part == "sha1":
				m |= maskSHA1
			case part == "sha256":
				m |= maskSHA256
			case strings.Contains(part, "email"):
				m |= maskEmail
			}
		}
	}
	if m == 0 {
		return maskAll
	}
	return m
}

// keySets maps a value to the lists holding it: a single list index, or
// multiFlag|i for the i-th of multi.
type keySets struct {
	m     map[string]uint32
	multi [][]uint16
}

const multiFlag = 1 << 31

func (k *keySets) put(key string, list uint16) {
	v, ok := k.m[key]
	switch {
	case !ok:
		k.m[key] = uint32(list)
	case v&multiFlag == 0:
		if uint16(v) != list {
			k.m[key] = multiFlag | uint32(len(k.multi))
			k.multi = append(k.multi, []uint16{uint16(v), list})
		}
	default:
		s := k.multi[v&^multiFlag]
		if s[len(s)-1] != list {
			k.multi[v&^multiFlag] = append(s, list)
		}
	}
}

// mark sets the bits of key's lists in set.
func (k *keySets) mark(key string, set *[maxMISPLists / 64]uint64) {
	v, ok := k.m[key]
	if !ok {
		return
	}
	if v&multiFlag == 0 {
		set[v/64] |= 1 << (v % 64)
		return
	}
	for _, l := range k.multi[v&^multiFlag] {
		set[l/64] |= 1 << (l % 64)
	}
}

type misp struct {
	base   base
	lists  []mispList
	exact  keySets
	suffix keySets
	cidrs  rangeIndex
	n      int
}

type mispFile struct {
	Name               string   `json:"name"`
	Description        string   `json:"description"`
	Type               string   `json:"type"`
	List               []string `json:"list"`
	MatchingAttributes []string `json:"matching_attributes"`
	Version            int64    `json:"version"`
}

func loadMISP(ctx context.Context, fs *files, b base) (source, meta, error) {
	type named struct {
		id string
		f  mispFile
	}
	var lists []named
	err := fs.each(ctx, func(name string) bool { return baseName(name) == "list.json" }, func(name string, data []byte) error {
		var f mispFile
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		id := baseName(strings.TrimSuffix(name, "/list.json"))
		if id == "list.json" {
			id = f.Name
		}
		lists = append(lists, named{id, f})
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if len(lists) == 0 {
		return nil, meta{}, errors.New("no lists/*/list.json found")
	}
	slices.SortFunc(lists, func(x, y named) int { return cmp.Compare(x.id, y.id) })
	m := &misp{base: b, exact: keySets{m: map[string]uint32{}}, suffix: keySets{m: map[string]uint32{}}}
	var ivs []interval
	for _, l := range lists {
		switch l.f.Type {
		case "cidr", "hostname", "string":
		default:
			continue
		}
		if len(m.lists) == maxMISPLists {
			return nil, meta{}, fmt.Errorf("more than %d warning lists", maxMISPLists)
		}
		idx := uint16(len(m.lists))
		m.lists = append(m.lists, newMISPList(l.id, l.f, fs.modTime))
		for _, e := range l.f.List {
			if m.addEntry(l.f.Type, e, idx, m.lists[idx].rep == alert.Benign, &ivs) {
				m.n++
			}
		}
	}
	m.cidrs = buildRangeIndex(ivs)
	return m, meta{}, nil
}

func newMISPList(id string, f mispFile, mod time.Time) mispList {
	l := mispList{rep: alert.Benign, conf: 70, name: f.Name, types: attributeMask(f.MatchingAttributes)}
	if l.name == "" {
		l.name = id
	}
	cat := "known_benign"
	switch c, ok := contextCategory(id); {
	case ok:
		l.rep, l.conf, cat = alert.Context, 90, c
	case strings.Contains(id, "scanning") || strings.Contains(id, "scanner"):
		cat = "scanner"
	case strings.Contains(id, "top") || id == "alexa" || id == "tranco10k" || id == "majestic_million":
		l.conf, cat = 50, "popular"
	}
	l.cats = []string{cat}
	l.cats = l.cats[:1:1]
	asOf := mod
	// Most lists version themselves by date, as YYYYMMDD.
	if t, err := time.Parse("20060102", fmt.Sprint(f.Version)); err == nil && t.Year() > 2000 {
		asOf = t
	}
	l.asOf = timePtr(asOf)
	return l
}

// addEntry indexes one list entry, reporting whether it was usable.
// The public-suffix guard applies only to benign lists (see the file
// comment): a context list such as dynamic-dns is meant for the subdomains.
func (m *misp) addEntry(typ, e string, idx uint16, guard bool, ivs *[]interval) bool {
	e = strings.TrimSpace(e)
	if e == "" {
		return false
	}
	if typ == "cidr" {
		if p, err := netip.ParsePrefix(e); err == nil {
			if p.Addr().Is4In6() {
				p = netip.PrefixFrom(p.Addr().Unmap(), max(0, p.Bits()-96))
			}
			lo, hi := prefixBounds(p)
			*ivs = append(*ivs, interval{lo, hi, uint32(idx)})
			return true
		}
		if a, err := netip.ParseAddr(e); err == nil && a.Zone() == "" {
			k := addrKey(a.Unmap())
			*ivs = append(*ivs, interval{k, k, uint32(idx)})
			return true
		}
		return false
	}
	e = lower(e)
	subdomains := typ == "hostname"
	if strings.HasPrefix(e, ".") {
		e, subdomains = strings.Trim(e, "."), true
		if typ == "string" {
			m.suffix.put(e, idx)
			return e != ""
		}
	}
	if typ == "hostname" {
		e = strings.TrimRight(e, ".")
	}
	if e == "" {
		return false
	}
	m.exact.put(e, idx)
	if subdomains {
		if ps, _ := publicsuffix.PublicSuffix(e); !guard || ps != e {
			m.suffix.put(e, idx)
		}
	}
	return true
}

func (m *misp) entries() int { return m.n }

func (m *misp) lookup(dst []alert.Finding, q query) []alert.Finding {
	var set [maxMISPLists / 64]uint64
	switch {
	case q.typ == alert.URL:
		m.exact.mark(q.value, &set)
	case q.ipText == "" && q.host == "":
		m.exact.mark(q.value, &set)
	}
	if q.ipText != "" {
		m.exact.mark(q.ipText, &set)
		for _, l := range m.cidrs.find(q.ipKey) {
			set[l/64] |= 1 << (l % 64)
		}
	}
	if q.host != "" {
		m.exact.mark(q.host, &set)
		for d, ok := parentDomain(q.host); ok; d, ok = parentDomain(d) {
			m.suffix.mark(d, &set)
		}
	}
	mask := maskOf(q.typ)
	for w, word := range set {
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			l := &m.lists[i]
			if l.types&mask == 0 {
				continue
			}
			f := m.base.finding(l.rep, l.conf, l.asOf)
			f.Categories = l.cats
			f.Detail = l.name
			dst = append(dst, f)
		}
	}
	return dst
}
