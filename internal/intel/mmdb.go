package intel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/winnow-soc/winnow/alert"
)

// Country from a MaxMind DB (*.mmdb) whose records carry a top-level
// "country_code" (ip-location-db's geo-whois-asn-country) or GeoIP2/GeoLite2
// "country.iso_code". The database is read into memory rather than mapped,
// so a Store needs no Close; docs/adr/0004-maxmind.md records the choice of
// reader.

type mmdbCountry struct {
	base base
	asOf *time.Time
	db   *maxminddb.Reader
	cats []string
	n    int
}

func loadMMDB(ctx context.Context, fs *files, b base) (source, meta, error) {
	c := &mmdbCountry{base: b, cats: []string{"country"}}
	c.cats = c.cats[:1:1]
	var m meta
	err := fs.each(ctx, func(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".mmdb") }, func(name string, data []byte) error {
		if c.db != nil {
			return fmt.Errorf("open %s: more than one database in the feed", name)
		}
		db, err := maxminddb.OpenBytes(data)
		if err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		c.db = db
		c.n = int(db.Metadata.NodeCount)
		m.modTime = db.Metadata.BuildTime().UTC()
		return nil
	})
	if err != nil {
		return nil, meta{}, err
	}
	if c.db == nil {
		return nil, meta{}, errors.New("no MaxMind database (*.mmdb) found")
	}
	c.asOf = timePtr(m.modTime)
	return c, m, nil
}

func (c *mmdbCountry) entries() int { return c.n }

func (c *mmdbCountry) lookup(dst []alert.Finding, q query) []alert.Finding {
	// An IPv6 lookup in an IPv4-only database is an error, which allocates.
	if !q.ip.IsValid() || (q.ip.Is6() && c.db.Metadata.IPVersion == 4) {
		return dst
	}
	r := c.db.Lookup(q.ip)
	if !r.Found() {
		return dst
	}
	var cc string
	if err := r.DecodePath(&cc, "country_code"); err != nil || cc == "" {
		if err := r.DecodePath(&cc, "country", "iso_code"); err != nil || cc == "" {
			return dst
		}
	}
	f := c.base.finding(alert.Context, 90, c.asOf)
	f.Categories = c.cats
	f.Detail = cc
	return append(dst, f)
}
