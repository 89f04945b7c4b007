package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"text/tabwriter"

	"github.com/winnow-soc/winnow/internal/decide"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/pipeline"
	"github.com/winnow-soc/winnow/internal/store"
)

func runPolicy(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: winnow policy test [FILE] | winnow policy dry-run --db FILE --policy FILE [flags]")
		return ExitUsage
	}
	switch args[0] {
	case "test":
		return runPolicyTest(e, args[1:])
	case "dry-run":
		return runPolicyDryRun(ctx, e, args[1:])
	}
	fmt.Fprintf(e.stderr, "winnow policy: unknown subcommand %q (test, dry-run)\n", args[0])
	return ExitUsage
}

// runPolicyTest runs a policy's own test cases (the built-in policy when no
// file is given).
func runPolicyTest(e *env, args []string) int {
	fs := newFlags(e, "policy test", "policy test [FILE]")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	var p *decide.Policy
	var err error
	switch fs.NArg() {
	case 0:
		p, err = decide.DefaultPolicy()
	case 1:
		var src []byte
		if src, err = os.ReadFile(fs.Arg(0)); err == nil {
			p, err = decide.Compile(fs.Arg(0), src)
		}
	default:
		fs.Usage()
		return ExitUsage
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow policy test: %v\n", err)
		return ExitRejected
	}
	failed := 0
	results := p.RunTests()
	for _, r := range results {
		if r.Passed() {
			fmt.Fprintf(e.stdout, "ok    %s\n", r.Name)
			continue
		}
		failed++
		fmt.Fprintf(e.stdout, "FAIL  %s\n", r.Name)
		for _, pr := range r.Problems {
			fmt.Fprintf(e.stdout, "      %s\n", pr)
		}
	}
	fmt.Fprintf(e.stdout, "%s: %d passed, %d failed\n", p.Name(), len(results)-failed, failed)
	if failed > 0 || len(results) == 0 {
		if len(results) == 0 {
			fmt.Fprintln(e.stderr, "winnow policy test: the policy has no test cases")
		}
		return ExitRejected
	}
	return ExitOK
}

// runPolicyDryRun replays a store's history through the engine with a
// candidate policy and reports which decisions would change.
func runPolicyDryRun(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "policy dry-run", "policy dry-run [flags]")
	cfgPath := fs.String("config", "", "configuration file (default: embedded defaults)")
	dbPath := fs.String("db", "", "database written by 'winnow triage --db' (required)")
	policyPath := fs.String("policy", "", "candidate policy file (required)")
	tenant := fs.String("tenant", "", "only this tenant (default: every tenant)")
	show := fs.Int("show", 20, "changed decisions to list")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if *dbPath == "" || *policyPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return ExitUsage
	}
	cfg, code := loadConfig(e, "policy dry-run", *cfgPath)
	if code >= 0 {
		return code
	}
	src, err := os.ReadFile(*policyPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
		return ExitUsage
	}
	if _, err := decide.Compile(*policyPath, src); err != nil {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
		return ExitRejected
	}
	var tenants []string
	for i := range cfg.Tenants {
		t := &cfg.Tenants[i]
		if *tenant == "" || t.ID == *tenant {
			t.SetPolicy(*policyPath, src)
			tenants = append(tenants, t.ID)
		}
	}
	if len(tenants) == 0 {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: unknown tenant %q\n", *tenant)
		return ExitUsage
	}
	store_, err := intel.Load(ctx, configuredFeeds(cfg))
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: load intel: %v\n", err)
		return ExitRejected
	}
	eng, err := pipeline.New(ctx, cfg, pipeline.Options{Intel: store_})
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
		return ExitRejected
	}
	st, err := store.OpenSQLite(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
		return ExitUsage
	}
	defer st.Close()

	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ALERT\tTENANT\tDISPOSITION\tPRIORITY\tRULES FIRED")
	total, changed := 0, 0
	for _, t := range tenants {
		recs, err := allRecords(ctx, st, t)
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
			return ExitRejected
		}
		sess, err := eng.NewSession()
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow policy dry-run: %v\n", err)
			return ExitRejected
		}
		for i := range recs {
			old := &recs[i].Decision
			p, err := eng.Prepare(&recs[i].Alert)
			if err != nil {
				continue
			}
			d := sess.Finish(p)
			total++
			if d.Disposition == old.Disposition && d.Priority == old.Priority && slices.Equal(d.RulesFired, old.RulesFired) && d.EscalateTo == old.EscalateTo {
				continue
			}
			changed++
			if changed <= *show {
				fmt.Fprintf(tw, "%s\t%s\t%s -> %s\t%s -> %s\t%v -> %v\n", d.AlertID, t, old.Disposition, d.Disposition,
					old.Priority, d.Priority, old.RulesFired, d.RulesFired)
			}
		}
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %d stored decisions would change with %s\n", changed, total, *policyPath)
	return ExitOK
}

// allRecords lists a tenant's stored alerts oldest first.
func allRecords(ctx context.Context, st store.Store, tenant string) ([]store.Record, error) {
	var recs []store.Record
	q := store.Query{Tenant: tenant, Limit: store.MaxLimit}
	for {
		page, err := st.Alerts(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("read stored alerts of %s: %w", tenant, err)
		}
		recs = append(recs, page...)
		if len(page) < q.Limit {
			break
		}
		q.After = page[len(page)-1].Cursor()
	}
	slices.Reverse(recs)
	return recs, nil
}
