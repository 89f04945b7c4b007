package app

import (
	"context"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/winnow-soc/winnow/internal/config"
)

func runConfig(_ context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "defaults" {
		fmt.Fprintln(e.stdout, "# Winnow's built-in configuration (what runs when no --config is given).")
		enc := yaml.NewEncoder(e.stdout)
		enc.SetIndent(2)
		if err := enc.Encode(config.Default()); err != nil {
			fmt.Fprintf(e.stderr, "winnow config defaults: %v\n", err)
			return ExitRejected
		}
		return ExitOK
	}
	if len(args) == 0 || args[0] != "validate" {
		fmt.Fprintln(e.stderr, "Usage: winnow config validate FILE | winnow config defaults")
		return ExitUsage
	}
	fs := newFlags(e, "config validate", "config validate FILE")
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return ExitUsage
	}
	cfg, err := config.Load(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: invalid:\n%v\n", fs.Arg(0), err)
		return ExitRejected
	}
	fmt.Fprintf(e.stdout, "%s: valid (%d tenants, %d intel feeds)\n", fs.Arg(0), len(cfg.Tenants), len(cfg.Intel.Feeds))
	return ExitOK
}
