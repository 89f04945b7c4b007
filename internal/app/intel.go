package app

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/intel/update"
	"github.com/winnow-soc/winnow/internal/pipeline"
)

func runIntel(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: winnow intel update|status [flags]")
		return ExitUsage
	}
	switch args[0] {
	case "update":
		return runIntelUpdate(ctx, e, args[1:])
	case "status":
		return runIntelStatus(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "winnow intel: unknown subcommand %q (update, status)\n", args[0])
	return ExitUsage
}

func runIntelUpdate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "intel update", "intel update [flags]")
	cfgPath := fs.String("config", "", "configuration file (default: embedded defaults)")
	dir := fs.String("dir", "", "directory for the default feeds when the configuration names none with a url (default: <data_dir>/intel)")
	timeout := fs.Duration("timeout", 10*time.Minute, "overall deadline")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	cfg, code := loadConfig(e, "intel update", *cfgPath)
	if code >= 0 {
		return code
	}
	if *dir == "" {
		*dir = filepath.Join(cfg.DataDir, "intel")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	var results []update.Result
	for _, job := range updateJobs(cfg, *dir) {
		results = append(results, update.Update(ctx, &http.Client{}, job.dir, job.srcs, job.validate)...)
	}
	failed := 0
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tRESULT\tBYTES\tSHA256\tPATH")
	for _, r := range results {
		res := "updated"
		switch {
		case r.Err != nil:
			res = "error: " + r.Err.Error()
			failed++
		case r.NotModified:
			res = "not modified"
		case !r.Changed:
			res = "unchanged"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.12s\t%s\n", r.Name, res, r.Bytes, r.SHA256, r.Path)
	}
	tw.Flush()
	if failed > 0 {
		return ExitRejected
	}
	return ExitOK
}

// updateJob is one call of update.Update: sources that share a directory.
type updateJob struct {
	dir      string
	srcs     []update.Source
	validate func(update.Source, string) error
}

// updateJobs lists what 'intel update' downloads: every configured feed
// with a url, into its own path; or, when none has one, the default
// upstream feeds into dir.
func updateJobs(cfg *config.Config, dir string) []updateJob {
	byDir := map[string]*updateJob{}
	var order []string
	kinds := map[string]intel.Kind{}
	for _, f := range cfg.Intel.Feeds {
		if f.URL == "" {
			continue
		}
		d := filepath.Dir(f.Path)
		j, ok := byDir[d]
		if !ok {
			j = &updateJob{dir: d}
			byDir[d] = j
			order = append(order, d)
		}
		j.srcs = append(j.srcs, update.Source{Name: f.Name, URL: f.URL, File: filepath.Base(f.Path)})
		kinds[f.Name] = intel.Kind(f.Kind)
	}
	if len(order) == 0 {
		return []updateJob{{dir: dir, srcs: update.Defaults(), validate: validateFeed(upstreamKinds)}}
	}
	jobs := make([]updateJob, 0, len(order))
	for _, d := range order {
		j := byDir[d]
		j.validate = validateFeed(kinds)
		jobs = append(jobs, *j)
	}
	return jobs
}

// validateFeed returns a hook that parses a downloaded feed with the real
// loader before it replaces the current one, so a well-formed but wrong file
// is refused.
func validateFeed(kinds map[string]intel.Kind) func(update.Source, string) error {
	return func(src update.Source, path string) error {
		kind, ok := kinds[src.Name]
		if !ok {
			return nil
		}
		_, err := intel.Load(context.Background(), []intel.Feed{{Name: src.Name, Kind: kind, Path: path}})
		return err
	}
}

// upstreamKinds maps update.Defaults() source names to intel loader kinds.
var upstreamKinds = map[string]intel.Kind{
	"ipsum":             intel.IPsum,
	"tor":               intel.Tor,
	"maltrail":          intel.Maltrail,
	"misp-warninglists": intel.MISPWarninglists,
	"asn":               intel.ASN,
	"country":           intel.MMDBCountry,
}

// configuredFeeds are the feeds the configuration names or, when it names
// none, those that 'winnow intel update' downloaded into the data directory.
func configuredFeeds(cfg *config.Config) []intel.Feed {
	if feeds := pipeline.IntelFeeds(cfg); len(feeds) > 0 {
		return feeds
	}
	feeds := downloadedFeeds(filepath.Join(cfg.DataDir, "intel"))
	for i := range feeds {
		if feeds[i].Kind == intel.IPsum {
			feeds[i].Threshold = cfg.Intel.IPsumMaliciousMin
		}
	}
	return feeds
}

// downloadedFeeds lists the feeds that 'winnow intel update' left in dir,
// for a configuration that names none.
func downloadedFeeds(dir string) []intel.Feed {
	var feeds []intel.Feed
	for _, src := range update.Defaults() {
		p := filepath.Join(dir, src.File)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		feeds = append(feeds, intel.Feed{Name: src.Name, Kind: upstreamKinds[src.Name], Path: p, Reliability: "B"})
	}
	return feeds
}

func runIntelStatus(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "intel status", "intel status [flags]")
	cfgPath := fs.String("config", "", "configuration file (default: embedded defaults)")
	dbPath := fs.String("db", "", "database holding the online providers' quota counters")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	cfg, code := loadConfig(e, "intel status", *cfgPath)
	if code >= 0 {
		return code
	}
	if err := printQuota(ctx, e.stdout, cfg, *dbPath); err != nil {
		fmt.Fprintf(e.stderr, "winnow intel status: %v\n", err)
		return ExitRejected
	}
	feeds := configuredFeeds(cfg)
	if len(feeds) == 0 {
		fmt.Fprintln(e.stdout, "no intel feeds configured (see docs/intel.md)")
		return ExitOK
	}
	store, err := intel.Load(ctx, feeds)
	if store == nil {
		fmt.Fprintf(e.stderr, "winnow intel status: %v\n", err)
		return ExitRejected
	}
	now := time.Now()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEED\tKIND\tENTRIES\tAGE\tUPSTREAM\tPATH\tERROR")
	bad := 0
	for _, st := range store.Status() {
		age := "-"
		if !st.ModTime.IsZero() {
			age = now.Sub(st.ModTime).Round(time.Hour).String()
		}
		upstream := "-"
		if m, err := update.ReadMeta(update.MetaPath(st.Path)); err == nil && m.URL != "" {
			upstream = m.URL
		}
		if st.Err != "" {
			bad++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", st.Name, st.Kind, st.Entries, age, upstream, st.Path, st.Err)
	}
	tw.Flush()
	if bad > 0 || err != nil {
		return ExitRejected
	}
	return ExitOK
}
