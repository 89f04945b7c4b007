package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitRejected = 1
	ExitUsage    = 2
)

// env is what a command sees of the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"triage":  {"decide alerts from files or stdin, one JSON decision per line", runTriage},
		"extract": {"print the observables found in plain text, one JSON object per line", runExtract},
		"intel":   {"offline threat intelligence: update, status", runIntel},
		"enrich":  {"look one observable up in offline intel and the configured online providers", runEnrich},
		"config":  {"configuration: validate FILE, defaults", runConfig},
		"dataset": {"convert public labelled data sets (ait-ads) into native alerts", runDataset},
		"policy":  {"business rules: test [FILE], dry-run against stored history", runPolicy},
		"audit":   {"tamper-evident audit trail: verify, export", runAudit},
		"version": {"print the version", runVersion},
	}
}

// Main runs the winnow command line with args (without the program name) and
// returns the process exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "winnow: unknown command %q\n\n", args[0])
		usage(stderr)
		return ExitUsage
	}
	return cmd.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Winnow: explainable alert triage for SOC and MDR teams.")
	fmt.Fprintln(w, "\nUsage: winnow COMMAND [flags] [args]\n\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'winnow COMMAND -h' for a command's flags.")
}

// newFlags returns a flag set that reports to e.stderr and does not exit.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: winnow %s\n", synopsis)
		if strings.Contains(synopsis, "[flags]") {
			fmt.Fprintln(e.stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses flags and maps the outcome to an exit code: -1 to go on.
func parse(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	return -1
}

func runVersion(_ context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stdout, "winnow", Version)
	return ExitOK
}

// Version is set at build time with -ldflags "-X .../internal/app.Version=...".
var Version = "dev"
