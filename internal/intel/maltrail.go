package intel

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Maltrail static trails (github.com/stamparm/maltrail, trails/static): one
// text file per family under malware/, malicious/ and suspicious/, plus
// mass_scanner.txt and mass_scanner_cidr.txt at the top. A file is a list of
// trails, one a line, with '#' comments; header comments name the family's
// aliases ("# Aliases: a, b") and references. A trail is a domain, an IP, an
// "ip:port", a CIDR (scanner lists), a URL without scheme ("host/path") or a
// bare path ("/gate.php"). Bare paths are skipped: they match any host and
// Winnow has no HTTP request path observable to test them against.

// trailFile is what every trail of one file shares; its strings are interned
// once per file.
type trailFile struct {
	family  string
	rank    int
	rep     alert.Reputation
	conf    int
	cats    []string
	detail  string
	parents string // detail prefix for a parent-domain match
}

// Record values pack the file index with a flag for "ip:port" trails.
const portFlag = 1

type maltrail struct {
	base  base
	asOf  *time.Time
	files []trailFile
	// hosts holds domain and IP trails; urls holds "host/path" trails with
	// trailing slashes trimmed.
	hosts map[string]uint32
	urls  map[string]uint32
	cidrs rangeIndex
}

// trailCategory returns the category and rank of a trail file by its place
// in trails/static, or "" for files that are not trails.
func trailCategory(name string) (cat string, rank int) {
	if !strings.HasSuffix(name, ".txt") {
		return "", 0
	}
	dir := path.Base(path.Dir(name))
	switch {
	case dir == "malware":
		return "malware", 3
	case dir == "malicious":
		return "malicious", 3
	case dir == "suspicious":
		return "suspicious", 1
	case strings.HasPrefix(baseName(name), "mass_scanner"):
		return "scanner", 2
	}
	return "", 0
}

// parsedTrails is one file's trails before they are merged.
type parsedTrails struct {
	name  string
	file  trailFile
	hosts []trailEntry
	urls  []string
	cidrs []netip.Prefix
}

type trailEntry struct {
	key  string
	port bool
}

func loadMaltrail(ctx context.Context, fs *files, b base) (source, meta, error) {
	type job struct {
		name string
		data []byte
	}
	jobs := make(chan job)
	results := make(chan parsedTrails)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for j := range jobs {
				results <- parseTrails(j.name, string(j.data))
			}
		})
	}
	var all []parsedTrails
	done := make(chan struct{})
	go func() {
		for r := range results {
			all = append(all, r)
		}
		close(done)
	}()
	err := fs.each(ctx, func(name string) bool {
		c, _ := trailCategory(name)
		return c != ""
	}, func(name string, data []byte) error {
		if c, _ := trailCategory(name); c == "" {
			return fmt.Errorf("%s is not a trail file: want the trails/static directory or archive", name)
		}
		// Workers parse while the reader goes on decompressing.
		jobs <- job{name, data}
		return nil
	})
	close(jobs)
	wg.Wait()
	close(results)
	<-done
	if err != nil {
		return nil, meta{}, err
	}
	if len(all) == 0 {
		return nil, meta{}, errors.New("no trail files found (want trails/static/{malware,malicious,suspicious}/*.txt)")
	}
	// Parsing in parallel ends in an arbitrary order: merge in name order so
	// that which file wins a duplicate trail does not depend on scheduling.
	slices.SortFunc(all, func(x, y parsedTrails) int { return cmp.Compare(x.name, y.name) })
	nh, nu := 0, 0
	for i := range all {
		nh, nu = nh+len(all[i].hosts), nu+len(all[i].urls)
	}
	m := &maltrail{base: b, asOf: timePtr(fs.modTime), hosts: make(map[string]uint32, nh), urls: make(map[string]uint32, nu)}
	var ivs []interval
	for i := range all {
		p := &all[i]
		idx := uint32(len(m.files))
		m.files = append(m.files, p.file)
		for _, e := range p.hosts {
			v := idx << 1
			if e.port {
				v |= portFlag
			}
			m.put(m.hosts, e.key, v)
		}
		for _, u := range p.urls {
			m.put(m.urls, u, idx<<1)
		}
		for _, c := range p.cidrs {
			lo, hi := prefixBounds(c)
			ivs = append(ivs, interval{lo, hi, idx << 1})
		}
		*p = parsedTrails{}
	}
	m.cidrs = buildRangeIndex(ivs)
	return m, meta{}, nil
}

// put keeps the stronger of two trails for one key; the first file wins a
// tie, and a plain trail beats an "ip:port" one from the same file.
func (m *maltrail) put(into map[string]uint32, key string, v uint32) {
	old, ok := into[key]
	if ok && (m.files[old>>1].rank > m.files[v>>1].rank || (m.files[old>>1].rank == m.files[v>>1].rank && (old>>1 != v>>1 || old&portFlag == 0))) {
		return
	}
	into[key] = v
}

// parseTrails parses one trail file the way Maltrail's own loader does
// (trails/static/__init__.py).
func parseTrails(name, text string) parsedTrails {
	cat, rank := trailCategory(name)
	family := strings.TrimSuffix(baseName(name), ".txt")
	p := parsedTrails{name: name}
	var aliases string
	for rest := strings.TrimPrefix(text, "\ufeff"); rest != ""; {
		var line string
		line, rest = nextLine(rest)
		if line == "" {
			continue
		}
		if line[0] == '#' {
			if a, ok := strings.CutPrefix(line, "# Aliases:"); ok && aliases == "" {
				aliases = strings.TrimSpace(a)
			}
			continue
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimRight(line[:i], " \t")
		}
		addTrail(&p, line)
	}
	p.file = newTrailFile(cat, rank, family, aliases)
	return p
}

func addTrail(p *parsedTrails, t string) {
	isURL := false
	if i := strings.Index(t, "://"); i >= 0 {
		t, isURL = t[i+3:], true
	}
	if t == "" || t[0] == '/' {
		return
	}
	if i := strings.IndexByte(t, '/'); i >= 0 {
		// mayBeIP spares netip its allocated errors on the many names.
		if pf, err := netip.ParsePrefix(t); !isURL && mayBeIP(t[:i]) && err == nil {
			p.cidrs = append(p.cidrs, pf)
			return
		}
		host := lower(strings.TrimSuffix(t[:i], "."))
		if host == "" || strings.ContainsAny(host, " \t") {
			return
		}
		u := strings.TrimRight(t[i:], "/")
		if host != t[:i] {
			p.urls = append(p.urls, host+u)
		} else {
			p.urls = append(p.urls, t[:i+len(u)])
		}
		return
	}
	if isURL {
		if u := lower(strings.Trim(t, ".")); u != "" {
			p.urls = append(p.urls, u)
		}
		return
	}
	if mayBeIP(t) || strings.HasPrefix(t, "[") {
		if a, err := netip.ParseAddr(t); err == nil {
			p.hosts = append(p.hosts, trailEntry{key: ipText(a.Unmap(), t)})
			return
		}
		if ap, err := netip.ParseAddrPort(t); err == nil {
			host := strings.Trim(t[:strings.LastIndexByte(t, ':')], "[]")
			p.hosts = append(p.hosts, trailEntry{key: ipText(ap.Addr().Unmap(), host), port: true})
			return
		}
	}
	if d := lower(strings.Trim(t, ".")); d != "" && !strings.ContainsAny(d, " \t:") {
		p.hosts = append(p.hosts, trailEntry{key: d})
	}
}

func newTrailFile(cat string, rank int, family, aliases string) trailFile {
	f := trailFile{rank: rank, cats: []string{cat}}
	f.cats = f.cats[:1:1]
	switch cat {
	case "malware", "malicious":
		f.rep, f.conf, f.family = alert.Malicious, 80, family
	case "scanner":
		f.rep, f.conf = alert.Suspicious, 70
	default:
		f.rep, f.conf, f.family = alert.Suspicious, 40, family
	}
	f.detail = "maltrail " + cat + " trail " + family
	if aliases != "" {
		a := strings.Split(aliases, ",")
		if len(a) > 5 {
			a = append(a[:5:5], " ...")
		}
		f.detail += " (aliases:" + strings.Join(a, ",") + ")"
	}
	f.parents = f.detail + "; matched parent domain "
	return f
}

func (m *maltrail) entries() int { return len(m.hosts) + len(m.urls) + m.cidrs.len() }

// lookup reports the most specific trail: the exact URL, the URL without
// its query, then the host (exact, then the nearest listed parent domain),
// then a CIDR.
func (m *maltrail) lookup(dst []alert.Finding, q query) []alert.Finding {
	if q.typ == alert.URL {
		if v, ok := m.urls[strings.TrimRight(q.urlRest, "/")]; ok {
			return m.emit(dst, v, "")
		}
		if v, ok := m.urls[strings.TrimRight(q.urlPath, "/")]; ok {
			return m.emit(dst, v, "")
		}
	}
	if q.ipText != "" {
		if v, ok := m.hosts[q.ipText]; ok {
			return m.emit(dst, v, "")
		}
		if set := m.cidrs.find(q.ipKey); set != nil {
			best := set[0]
			for _, v := range set[1:] {
				if m.files[v>>1].rank > m.files[best>>1].rank {
					best = v
				}
			}
			return m.emit(dst, best, "")
		}
		return dst
	}
	if q.host == "" {
		return dst
	}
	if v, ok := m.hosts[q.host]; ok {
		return m.emit(dst, v, "")
	}
	for d, ok := parentDomain(q.host); ok; d, ok = parentDomain(d) {
		if v, ok := m.hosts[d]; ok {
			return m.emit(dst, v, d)
		}
	}
	return dst
}

func (m *maltrail) emit(dst []alert.Finding, v uint32, parent string) []alert.Finding {
	f := &m.files[v>>1]
	out := m.base.finding(f.rep, f.conf, m.asOf)
	out.Categories = f.cats
	out.Family = f.family
	out.Detail = f.detail
	switch {
	case parent != "":
		out.Detail = f.parents + parent
		out.Confidence -= 10
	case v&portFlag != 0:
		out.Detail = f.detail + "; listed with a port"
	}
	return append(dst, out)
}
