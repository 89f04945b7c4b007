package intel

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// A Tor exit list (github.com/SecOps-Institute/Tor-IP-Addresses,
// tor-exit-nodes.lst, or the Tor Project's bulk exit list): one IP address a
// line; blank lines and '#' comments are ignored.

type tor struct {
	base  base
	asOf  *time.Time
	exits map[string]struct{}
	cats  []string
}

func loadTor(ctx context.Context, fs *files, b base) (source, meta, error) {
	t := &tor{base: b, exits: map[string]struct{}{}, cats: []string{"tor_exit"}}
	found := false
	err := fs.each(ctx, func(name string) bool {
		n := baseName(name)
		return strings.HasSuffix(n, ".lst") || (strings.Contains(n, "exit") && strings.HasSuffix(n, ".txt"))
	}, func(name string, data []byte) error {
		found = true
		if err := parseTor(string(data), t.exits); err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if !found {
		return nil, meta{}, errors.New("no exit list found (want *.lst or *exit*.txt)")
	}
	t.asOf = timePtr(fs.modTime)
	return t, meta{}, nil
}

// parseTor adds the addresses of one exit list to exits.
func parseTor(text string, exits map[string]struct{}) error {
	n := 0
	for rest := text; rest != ""; {
		var line string
		line, rest = nextLine(rest)
		n++
		if line == "" || line[0] == '#' {
			continue
		}
		a, err := netip.ParseAddr(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		key := ipText(a.Unmap(), line)
		exits[key] = struct{}{}
	}
	return nil
}

func (t *tor) entries() int { return len(t.exits) }

func (t *tor) lookup(dst []alert.Finding, q query) []alert.Finding {
	if q.ipText == "" {
		return dst
	}
	if _, ok := t.exits[q.ipText]; !ok {
		return dst
	}
	f := t.base.finding(alert.Suspicious, 60, t.asOf)
	f.Categories = t.cats[:1:1]
	f.Detail = "Tor exit node"
	return append(dst, f)
}
