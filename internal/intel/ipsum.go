package intel

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// IPsum (github.com/stamparm/ipsum, ipsum.txt): '#' comment lines, one of
// them "# Last update: <RFC 1123 date>", then one "IP<TAB>count" line per
// address, count being the number of blacklists that list it.

// DefaultIPsumThreshold is the blacklist count from which IPsum calls an IP
// malicious, as IPsum's own README recommends for blocking.
const DefaultIPsumThreshold = 3

type ipsum struct {
	base      base
	asOf      *time.Time
	threshold int
	counts    map[string]uint8
	cats      []string
}

func loadIPsum(ctx context.Context, fs *files, b base) (source, meta, error) {
	s := &ipsum{base: b, threshold: b.threshold, cats: []string{"blacklist"}}
	if s.threshold == 0 {
		s.threshold = DefaultIPsumThreshold
	}
	var m meta
	found := false
	err := fs.each(ctx, func(name string) bool { return baseName(name) == "ipsum.txt" }, func(name string, data []byte) error {
		found = true
		counts, updated, err := parseIPsum(string(data))
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		s.counts, m.modTime = counts, updated
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if !found {
		return nil, meta{}, errors.New("no ipsum.txt found")
	}
	if m.modTime.IsZero() {
		m.modTime = fs.modTime
	}
	s.asOf = timePtr(m.modTime)
	return s, m, nil
}

// parseIPsum reads ipsum.txt. Lines that are not "IP<TAB>count" are errors,
// reported with their line number; keys share the memory of text.
func parseIPsum(text string) (map[string]uint8, time.Time, error) {
	counts := make(map[string]uint8, strings.Count(text, "\n"))
	var updated time.Time
	n := 0
	for rest := text; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		n++
		if line == "" {
			continue
		}
		if line[0] == '#' {
			if d, ok := strings.CutPrefix(line, "# Last update:"); ok {
				if t, err := time.Parse(time.RFC1123Z, strings.TrimSpace(d)); err == nil {
					updated = t.UTC()
				}
			}
			continue
		}
		ip, cnt, ok := strings.Cut(line, "\t")
		if !ok {
			ip, cnt, ok = strings.Cut(line, " ")
		}
		c, err := strconv.Atoi(strings.TrimSpace(cnt))
		if !ok || err != nil || c < 1 {
			return nil, time.Time{}, fmt.Errorf("line %d: want \"IP<TAB>count\", got %q", n, line)
		}
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("line %d: %w", n, err)
		}
		key := ipText(a.Unmap(), ip)
		counts[key] = uint8(min(c, 255))
	}
	return counts, updated, nil
}

func (s *ipsum) entries() int { return len(s.counts) }

func (s *ipsum) lookup(dst []alert.Finding, q query) []alert.Finding {
	if q.ipText == "" {
		return dst
	}
	c, ok := s.counts[q.ipText]
	if !ok {
		return dst
	}
	rep := alert.Suspicious
	if int(c) >= s.threshold {
		rep = alert.Malicious
	}
	f := s.base.finding(rep, min(100, 10+15*int(c)), s.asOf)
	f.Categories = s.cats[:1:1]
	f.Detail = "listed on " + strconv.Itoa(int(c)) + " blacklists"
	if c == 1 {
		f.Detail = "listed on 1 blacklist"
	}
	return append(dst, f)
}
