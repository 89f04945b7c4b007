package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/connector"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/enrich"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/store"
)

// enrichOutput is what 'winnow enrich' prints: the observable with every
// finding (offline intel first, then online providers in merge order),
// the relations found and the notes on missing evidence.
type enrichOutput struct {
	Observable alert.Observable         `json:"observable"`
	Relations  []alert.Relation         `json:"relations"`
	Notes      []string                 `json:"notes"`
	Providers  []enrich.MetricsSnapshot `json:"providers"`
}

func runEnrich(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "enrich", "enrich [flags] TYPE VALUE")
	cfgPath := fs.String("config", "", "configuration file (default: embedded defaults)")
	dbPath := fs.String("db", "", "SQLite database for the enrichment cache and quota counters (default: memory)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return ExitUsage
	}
	o := alert.Observable{Type: alert.ObservableType(fs.Arg(0)), Value: fs.Arg(1)}
	cfg, code := loadConfig(e, "enrich", *cfgPath)
	if code >= 0 {
		return code
	}
	st := enrich.Stores{}
	if *dbPath != "" {
		db, err := store.OpenSQLite(ctx, *dbPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow enrich: open database %s: %v\n", *dbPath, err)
			return ExitRejected
		}
		defer db.Close()
		st = enrich.Stores{Cache: db, Quota: db}
	}
	online, err := enrich.Build(cfg, connector.Deps{}, st)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow enrich: %v\n", err)
		return ExitUsage
	}
	if feeds := configuredFeeds(cfg); len(feeds) > 0 {
		in, err := intel.Load(ctx, feeds)
		if in == nil {
			fmt.Fprintf(e.stderr, "winnow enrich: %v\n", err)
			return ExitRejected
		}
		obs := []alert.Observable{o}
		enrich.NewOffline(in).Enrich(obs)
		o = obs[0]
	}
	out := enrichOutput{Relations: []alert.Relation{}, Notes: []string{}, Providers: []enrich.MetricsSnapshot{}}
	obs := []alert.Observable{o}
	if online != nil {
		rep := online.Enrich(ctx, obs)
		out.Relations = append(out.Relations, rep.Relations...)
		out.Notes = append(out.Notes, rep.Notes...)
		for _, p := range online.Providers() {
			out.Providers = append(out.Providers, p.Metrics(ctx))
		}
	}
	out.Observable = obs[0]
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(e.stderr, "winnow enrich: %v\n", err)
		return ExitRejected
	}
	return ExitOK
}

// printQuota writes the configured online providers' quota use, read from
// the database at dbPath when one is named.
func printQuota(ctx context.Context, w io.Writer, cfg *config.Config, dbPath string) error {
	if len(cfg.Enrichers) == 0 {
		return nil
	}
	var qs enrich.QuotaStore = enrich.NewMemoryStore()
	if dbPath != "" {
		db, err := store.OpenSQLite(ctx, dbPath)
		if err != nil {
			return fmt.Errorf("open database %s: %w", dbPath, err)
		}
		defer db.Close()
		qs = db
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENRICHER\tTYPE\tRATE\tTODAY\tMONTH\tLEFT")
	for i := range cfg.Enrichers {
		c := &cfg.Enrichers[i]
		p, err := enrich.PolicyOf(c)
		if err != nil {
			return fmt.Errorf("enricher %s: %w", c.Name, err)
		}
		q, err := enrich.NewLimited(nil, &p, qs, nil).Quota(ctx)
		if err != nil {
			return err
		}
		left := "unlimited"
		if n := q.Left(); n >= 0 {
			left = fmt.Sprint(n)
		}
		rate := c.Rate
		if rate == "" {
			rate = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Name, c.Type, rate,
			quotaUsage(q.DailyUsed, q.DailyLimit), quotaUsage(q.MonthlyUsed, q.MonthlyLimit), left)
	}
	return tw.Flush()
}

func quotaUsage(used, limit int64) string {
	if limit <= 0 {
		return fmt.Sprint(used)
	}
	return fmt.Sprintf("%d/%d", used, limit)
}
