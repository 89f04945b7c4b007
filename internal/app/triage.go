package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/enrich"
	"github.com/winnow-soc/winnow/internal/ingest"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/normalize"
	"github.com/winnow-soc/winnow/internal/pipeline"
)

func runTriage(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "triage", "triage [flags] [FILE...|-]")
	cfgPath := fs.String("config", "", "configuration file (default: embedded defaults)")
	format := fs.String("format", "auto", "input format: auto, generic (the configuration's formats.generic) or one of "+strings.Join(normalize.Names(), ", "))
	tenant := fs.String("tenant", "", "tenant for every alert (default: the configuration's default tenant)")
	workers := fs.Int("workers", 0, "parallel deciders (default: number of CPUs)")
	dbPath := fs.String("db", "", "SQLite database to persist alerts, decisions and incidents in (and to read 30 days of history from); default: memory only")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *format != "auto" && *format != "generic" {
		if _, ok := normalize.Lookup(*format); !ok {
			fmt.Fprintf(e.stderr, "winnow triage: unknown format %q (known: auto, %s)\n", *format, strings.Join(normalize.Names(), ", "))
			return ExitUsage
		}
	}
	cfg, code := loadConfig(e, "triage", *cfgPath)
	if code >= 0 {
		return code
	}
	norm, err := configuredNormalizer(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
		return ExitUsage
	}
	if !norm.Has(*format) {
		fmt.Fprintf(e.stderr, "winnow triage: format %q needs formats.generic mappings in the configuration\n", *format)
		return ExitUsage
	}
	if *tenant != "" {
		if _, ok := cfg.Tenant(*tenant); !ok {
			fmt.Fprintf(e.stderr, "winnow triage: unknown tenant %q\n", *tenant)
			return ExitUsage
		}
	}
	store, err := intel.Load(ctx, configuredFeeds(cfg))
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow triage: load intel: %v\n", err)
		return ExitRejected
	}
	var db *persistence
	opts := pipeline.Options{Intel: store}
	if *dbPath != "" {
		if db, err = openPersistence(ctx, *dbPath); err != nil {
			fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
			return ExitUsage
		}
		defer db.abandon() // on an early return; after close() it does nothing
		// Online lookups use the database's cache and quota counters, so
		// both survive a restart.
		if opts.Online, err = enrich.Build(cfg, connector.Deps{}, enrich.Stores{Cache: db.st, Quota: db.st}); err != nil {
			fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
			return ExitUsage
		}
	}
	eng, err := pipeline.New(ctx, cfg, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
		return ExitRejected
	}

	names := fs.Args()
	if len(names) == 0 {
		names = []string{"-"}
	}
	var inputs []pipeline.Input
	for _, n := range names {
		if n == "-" {
			inputs = append(inputs, pipeline.Input{Name: "-", R: e.stdin})
			continue
		}
		f, err := ingest.Open(n)
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		inputs = append(inputs, pipeline.Input{Name: n, R: f})
	}

	sess, err := eng.NewSession()
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
		return ExitRejected
	}
	if db != nil {
		if _, err := db.replay(ctx, cfg, sess); err != nil {
			fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
			return ExitRejected
		}
	}
	out := bufio.NewWriterSize(e.stdout, 256<<10)
	r := &pipeline.Runner{
		Engine:     eng,
		Session:    sess,
		Format:     *format,
		Normalizer: norm,
		Tenant:     *tenant,
		Workers:    *workers,
		OnReject: func(rj pipeline.Rejection) {
			fmt.Fprintf(e.stderr, "winnow triage: rejected %s\n", rj)
		},
	}
	if db != nil {
		db.content = eng.ContentVersion()
		r.Sink = func(p *pipeline.Prepared, d *alert.Decision) error { return db.add(ctx, p, d) }
	}
	stats, err := r.Run(ctx, inputs, out)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if db != nil {
		// Decisions already written to stdout are stored even when the run
		// stopped early; the context may be cancelled, so use a fresh one.
		if cerr := db.close(context.WithoutCancel(ctx), cfg, sess); err == nil && cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow triage: %v\n", err)
		return ExitRejected
	}
	if stats.Rejected > 0 {
		fmt.Fprintf(e.stderr, "winnow triage: %d of %d records rejected\n", stats.Rejected, stats.Records)
		return ExitRejected
	}
	return ExitOK
}

// loadConfig loads path, or the embedded defaults when path is empty.
// It returns -1 to go on, or the exit code to return.
func loadConfig(e *env, cmd, path string) (*config.Config, int) {
	if path == "" {
		return config.Default(), -1
	}
	cfg, err := config.Load(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			fmt.Fprintf(e.stderr, "winnow %s: %v\n", cmd, err)
			return nil, ExitUsage
		}
		fmt.Fprintf(e.stderr, "winnow %s: invalid configuration %s:\n%v\n", cmd, path, err)
		return nil, ExitUsage
	}
	return cfg, -1
}

// configuredNormalizer compiles the configuration's generic mappings; with
// none it returns nil, the registered formats alone.
func configuredNormalizer(cfg *config.Config) (*normalize.Normalizer, error) {
	if len(cfg.Formats.Generic) == 0 {
		return nil, nil
	}
	var extra []normalize.Format
	for _, g := range cfg.Formats.Generic {
		m := normalize.GenericMapping{Fields: g.Fields.Map(), SeverityMap: g.SeverityMap}
		if g.Match != nil {
			m.Match = normalize.GenericMatch{Field: g.Match.Field, Equals: g.Match.Equals}
		}
		f, err := normalize.NewGeneric(g.Name, m)
		if err != nil {
			return nil, fmt.Errorf("formats.generic: %w", err)
		}
		extra = append(extra, f)
	}
	return normalize.NewNormalizer(extra...), nil
}
