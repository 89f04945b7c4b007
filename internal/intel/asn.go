package intel

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// IPv4 ranges to autonomous systems (npm @ip-location-db/asn, asn-ipv4.csv):
// CSV rows "start,end,asn,organisation" with inclusive dotted-quad bounds,
// the organisation quoted when it holds a comma. Rows are kept as sorted
// uint32 ranges searched by bisection; organisations are interned. Rows whose
// bounds are not IPv4 addresses (an IPv6 file) are rejected: the asn feed is
// IPv4 only.

type asnFeed struct {
	base    base
	asOf    *time.Time
	starts  []uint32
	ends    []uint32
	details []uint32 // index into texts
	texts   []string // "AS13335 Cloudflare, Inc."
	cats    []string
}

type asnRow struct {
	start, end uint32
	text       uint32
}

func loadASN(ctx context.Context, fs *files, b base) (source, meta, error) {
	a := &asnFeed{base: b, cats: []string{"asn"}}
	a.cats = a.cats[:1:1]
	var rows []asnRow
	intern := map[string]uint32{}
	found := false
	err := fs.each(ctx, func(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".csv") }, func(name string, data []byte) error {
		found = true
		var err error
		rows, err = a.parse(string(data), rows, intern)
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if !found {
		return nil, meta{}, errors.New("no ASN CSV (*.csv) found")
	}
	slices.SortFunc(rows, func(x, y asnRow) int {
		switch {
		case x.start < y.start:
			return -1
		case x.start > y.start:
			return 1
		}
		return 0
	})
	a.starts = make([]uint32, len(rows))
	a.ends = make([]uint32, len(rows))
	a.details = make([]uint32, len(rows))
	for i, r := range rows {
		a.starts[i], a.ends[i], a.details[i] = r.start, r.end, r.text
	}
	a.asOf = timePtr(fs.modTime)
	return a, meta{}, nil
}

// parse appends the rows of one CSV file.
func (a *asnFeed) parse(text string, rows []asnRow, intern map[string]uint32) ([]asnRow, error) {
	n := 0
	for rest := text; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		n++
		if line == "" {
			continue
		}
		r, org, asn, err := parseASNRow(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		// The raw "asn,org" tail of the line is the intern key: a substring
		// of text, so interning allocates only once per organisation.
		_, key, _ := strings.Cut(line, ",")
		_, key, _ = strings.Cut(key, ",")
		id, ok := intern[key]
		if !ok {
			id = uint32(len(a.texts))
			intern[key] = id
			t := "AS" + asn
			if org != "" {
				t += " " + org
			}
			a.texts = append(a.texts, t)
		}
		r.text = id
		rows = append(rows, r)
	}
	return rows, nil
}

func parseASNRow(line string) (r asnRow, org, asn string, err error) {
	start, rest, ok1 := strings.Cut(line, ",")
	end, rest, ok2 := strings.Cut(rest, ",")
	asn, org, ok3 := strings.Cut(rest, ",")
	if !ok1 || !ok2 || !ok3 {
		return r, "", "", fmt.Errorf("want start,end,asn,org, got %q", line)
	}
	lo, err1 := netip.ParseAddr(start)
	hi, err2 := netip.ParseAddr(end)
	if err1 != nil || err2 != nil || !lo.Is4() || !hi.Is4() || hi.Less(lo) {
		return r, "", "", fmt.Errorf("bad IPv4 range %q-%q", start, end)
	}
	if _, err := strconv.ParseUint(asn, 10, 32); err != nil {
		return r, "", "", fmt.Errorf("bad AS number %q", asn)
	}
	if strings.HasPrefix(org, `"`) {
		if len(org) < 2 || !strings.HasSuffix(org, `"`) {
			return r, "", "", fmt.Errorf("unterminated quoted organisation %q", org)
		}
		org = strings.ReplaceAll(org[1:len(org)-1], `""`, `"`)
	}
	l4, h4 := lo.As4(), hi.As4()
	r.start = uint32(l4[0])<<24 | uint32(l4[1])<<16 | uint32(l4[2])<<8 | uint32(l4[3])
	r.end = uint32(h4[0])<<24 | uint32(h4[1])<<16 | uint32(h4[2])<<8 | uint32(h4[3])
	return r, org, asn, nil
}

func (a *asnFeed) entries() int { return len(a.starts) }

func (a *asnFeed) lookup(dst []alert.Finding, q query) []alert.Finding {
	if !q.ip.Is4() {
		return dst
	}
	b := q.ip.As4()
	k := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	lo, hi := 0, len(a.starts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a.starts[m] <= k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 || a.ends[lo-1] < k {
		return dst
	}
	f := a.base.finding(alert.Context, 90, a.asOf)
	f.Categories = a.cats
	f.Detail = a.texts[a.details[lo-1]]
	return append(dst, f)
}
