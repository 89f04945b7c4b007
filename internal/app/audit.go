package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/store"
)

func runAudit(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "export") {
		fmt.Fprintln(e.stderr, "Usage: winnow audit verify --db FILE [--anchor SEQ:HASH] | winnow audit export --db FILE --tenant ID")
		return ExitUsage
	}
	sub := args[0]
	fs := newFlags(e, "audit "+sub, "audit "+sub+" [flags]")
	dbPath := fs.String("db", "", "database written by 'winnow triage --db' (required)")
	tenant := fs.String("tenant", "", "tenant whose records to export (export: required)")
	anchor := fs.String("anchor", "", "verify: a head kept outside the database, SEQ:HASH, to detect truncation or rewriting")
	if code := parse(fs, args[1:]); code >= 0 {
		return code
	}
	if *dbPath == "" || fs.NArg() > 0 || (sub == "export" && *tenant == "") {
		fs.Usage()
		return ExitUsage
	}
	var anchors []audit.Anchor
	if *anchor != "" {
		seq, hash, ok := strings.Cut(*anchor, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || len(hash) != 64 {
			fmt.Fprintf(e.stderr, "winnow audit verify: --anchor %q is not SEQ:HASH (64 hex digits)\n", *anchor)
			return ExitUsage
		}
		anchors = append(anchors, audit.Anchor{Seq: n, Hash: hash})
	}
	st, err := store.OpenSQLite(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow audit %s: %v\n", sub, err)
		return ExitUsage
	}
	defer st.Close()
	log := audit.NewStoreLog(st)
	if sub == "export" {
		if err := audit.Export(ctx, log, *tenant, e.stdout); err != nil {
			fmt.Fprintf(e.stderr, "winnow audit export: %v\n", err)
			return ExitRejected
		}
		return ExitOK
	}
	rep, err := audit.VerifyAnchors(ctx, log, anchors...)
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow audit verify: %v\n", err)
		return ExitRejected
	}
	out, _ := json.Marshal(rep) // plain data: cannot fail
	fmt.Fprintln(e.stdout, string(out))
	if !rep.Intact() {
		fmt.Fprintf(e.stderr, "winnow audit verify: chain broken at record %d: %s\n", rep.FirstBroken, rep.Reason)
		return ExitRejected
	}
	fmt.Fprintf(e.stderr, "audit chain intact: %d records, head %d:%s (keep it outside the database)\n", rep.Records, rep.Head.Seq, rep.Head.Hash)
	return ExitOK
}
