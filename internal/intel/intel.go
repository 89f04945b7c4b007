package intel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

// Kind names a feed format.
type Kind string

// Feed formats Load understands.
const (
	Maltrail         Kind = "maltrail"
	IPsum            Kind = "ipsum"
	Tor              Kind = "tor"
	MISPWarninglists Kind = "misp_warninglists"
	STIX             Kind = "stix"
	ASN              Kind = "asn"
	MMDBCountry      Kind = "mmdb_country"
)

// Feed is one configured intel file.
type Feed struct {
	// Name is the Finding.Source of its findings; it defaults to the Kind
	// and must be unique within one Load.
	Name string
	Kind Kind
	// Path is the upstream archive (.tar.gz) or the extracted file or
	// directory.
	Path string
	// Reliability is the Admiralty reliability grade A-F given to every
	// finding of the feed; empty leaves it unset.
	Reliability string
	// Threshold is, for ipsum, the blacklist count from which an IP is
	// malicious rather than suspicious; 0 means DefaultIPsumThreshold.
	Threshold int
}

// FeedStatus reports how one feed loaded.
type FeedStatus struct {
	Name    string
	Kind    Kind
	Path    string
	Entries int
	// LoadedAt is when Load finished reading the feed.
	LoadedAt time.Time
	// ModTime is the feed's age: the date stated in the file when it has
	// one, else the newest modification time of the files read.
	ModTime time.Time
	// Err is the load error, empty when the feed loaded.
	Err string
}

// ErrUnknownKind is returned for a Feed whose Kind Load does not know.
var ErrUnknownKind = errors.New("unknown feed kind")

// source is one loaded feed.
type source interface {
	// lookup appends the feed's findings for q to dst. It must not allocate
	// when nothing matches.
	lookup(dst []alert.Finding, q query) []alert.Finding
	// entries is the number of indicators the feed holds.
	entries() int
}

// loaded is a feed with what Load made of it.
type loaded struct {
	feed   Feed
	src    source
	status FeedStatus
}

// Store holds loaded intel. It is immutable after Load and safe for
// concurrent use.
type Store struct {
	feeds []loaded
}

// Empty returns a Store with no feeds: every lookup misses.
func Empty() *Store { return &Store{} }

// meta is what a loader learns besides its indicators.
type meta struct {
	modTime time.Time
}

// loader reads one feed kind. fs gives it the feed's files; base carries the
// feed's name and reliability for the findings it builds.
type loader func(ctx context.Context, fs *files, base base) (source, meta, error)

// loaderFor returns the loader of a kind, nil for unknown kinds.
func loaderFor(k Kind) loader {
	switch k {
	case Maltrail:
		return loadMaltrail
	case IPsum:
		return loadIPsum
	case Tor:
		return loadTor
	case MISPWarninglists:
		return loadMISP
	case STIX:
		return loadSTIX
	case ASN:
		return loadASN
	case MMDBCountry:
		return loadMMDB
	}
	return nil
}

// Load reads every feed, in parallel, and returns a Store over those that
// loaded. The Store is never nil: when some feeds fail, the error joins every
// feed's error and the Store serves the others, with the failures reported
// by Status.
func Load(ctx context.Context, feeds []Feed) (*Store, error) {
	s := &Store{feeds: make([]loaded, len(feeds))}
	var errs []error
	seen := make(map[string]bool, len(feeds))
	valid := make([]bool, len(feeds))
	for i, f := range feeds {
		if f.Name == "" {
			f.Name = string(f.Kind)
		}
		s.feeds[i] = loaded{feed: f, status: FeedStatus{Name: f.Name, Kind: f.Kind, Path: f.Path}}
		var err error
		switch {
		case loaderFor(f.Kind) == nil:
			err = fmt.Errorf("%w %q", ErrUnknownKind, f.Kind)
		case seen[f.Name]:
			err = errors.New("duplicate feed name")
		case f.Path == "":
			err = errors.New("empty path")
		case f.Threshold < 0:
			err = fmt.Errorf("threshold %d is negative", f.Threshold)
		case f.Reliability != "" && (len(f.Reliability) != 1 || f.Reliability[0] < 'A' || f.Reliability[0] > 'F'):
			err = fmt.Errorf("reliability %q is not one of A-F", f.Reliability)
		}
		seen[f.Name] = true
		if err != nil {
			s.feeds[i].status.Err = err.Error()
			errs = append(errs, fmt.Errorf("intel feed %s: %w", f.Name, err))
			continue
		}
		valid[i] = true
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	feedErrs := make([]error, len(feeds))
	for i := range s.feeds {
		if !valid[i] {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			feedErrs[i] = s.feeds[i].load(ctx)
		})
	}
	wg.Wait()
	for _, err := range feedErrs {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return s, errors.Join(errs...)
}

// load reads one feed into l.
func (l *loaded) load(ctx context.Context) error {
	f := l.feed
	fs, err := openFiles(f.Path)
	if err == nil {
		var src source
		var m meta
		src, m, err = loaderFor(f.Kind)(ctx, fs, base{source: f.Name, reliability: f.Reliability, threshold: f.Threshold})
		if err == nil {
			l.src = src
			l.status.Entries = src.entries()
			l.status.ModTime = m.modTime
			if l.status.ModTime.IsZero() {
				l.status.ModTime = fs.modTime
			}
			if st, err := os.Stat(f.Path); err == nil && l.status.ModTime.IsZero() {
				l.status.ModTime = st.ModTime().UTC()
			}
		}
	}
	l.status.LoadedAt = time.Now().UTC()
	if err != nil {
		l.status.Err = err.Error()
		return fmt.Errorf("intel feed %s (%s): %w", f.Name, f.Kind, err)
	}
	return nil
}

// Lookup appends the findings for one canonical observable (types ipv4,
// ipv6, domain, url, md5, sha1, sha256, email) from every feed to dst, in
// feed order, and returns dst. Other types, and values that do not parse as
// their type, find nothing.
func (s *Store) Lookup(dst []alert.Finding, o alert.Observable) []alert.Finding {
	if s == nil || len(s.feeds) == 0 {
		return dst
	}
	q, ok := newQuery(o)
	if !ok {
		return dst
	}
	for i := range s.feeds {
		if src := s.feeds[i].src; src != nil {
			dst = src.lookup(dst, q)
		}
	}
	return dst
}

// Status reports every configured feed, loaded or not, in configuration
// order.
func (s *Store) Status() []FeedStatus {
	if s == nil {
		return nil
	}
	out := make([]FeedStatus, len(s.feeds))
	for i := range s.feeds {
		out[i] = s.feeds[i].status
	}
	return out
}

// base is what every finding of one feed shares, with the feed's options.
type base struct {
	source      string
	reliability string
	threshold   int
}

// finding starts a finding of the feed.
func (b base) finding(rep alert.Reputation, conf int, asOf *time.Time) alert.Finding {
	return alert.Finding{Source: b.source, Reputation: rep, Reliability: b.reliability, Confidence: conf, AsOf: asOf}
}

// timePtr returns a pointer to t, or nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
