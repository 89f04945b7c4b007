package app

import (
	"context"
	"fmt"

	"github.com/winnow-soc/winnow/internal/dataset/aitads"
)

func runDataset(_ context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "ait-ads" {
		fmt.Fprintln(e.stderr, "Usage: winnow dataset ait-ads -o DIR SCENARIO_alerts.csv.gz...")
		return ExitUsage
	}
	fs := newFlags(e, "dataset ait-ads", "dataset ait-ads [flags] SCENARIO_alerts.csv[.gz]...")
	out := fs.String("o", "", "output directory for <scenario>.alerts.jsonl.gz and <scenario>.labels.csv (required)")
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if *out == "" || fs.NArg() == 0 {
		fs.Usage()
		return ExitUsage
	}
	if err := aitads.ConvertFiles(fs.Args(), *out); err != nil {
		fmt.Fprintf(e.stderr, "winnow dataset ait-ads: %v\n", err)
		return ExitRejected
	}
	for _, p := range fs.Args() {
		s := aitads.ScenarioName(p)
		fmt.Fprintf(e.stdout, "%s: %s/%s.alerts.jsonl.gz, %s/%s.labels.csv\n", p, *out, s, *out, s)
	}
	return ExitOK
}
