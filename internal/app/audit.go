package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/winnow-soc/winnow/internal/audit"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/pipeline"
	"github.com/winnow-soc/winnow/internal/store"
)

func runAudit(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "export" && args[0] != "replay") {
		fmt.Fprintln(e.stderr, "Usage: winnow audit verify --db FILE [--anchor SEQ:HASH] | winnow audit export --db FILE --tenant ID | winnow audit replay --db FILE [--config FILE]")
		return ExitUsage
	}
	sub := args[0]
	fs := newFlags(e, "audit "+sub, "audit "+sub+" [flags]")
	dbPath := fs.String("db", "", "database written by 'winnow triage --db' (required)")
	tenant := fs.String("tenant", "", "tenant whose records to export (export: required)")
	anchor := fs.String("anchor", "", "verify: a head kept outside the database, SEQ:HASH, to detect truncation or rewriting")
	cfgPath := fs.String("config", "", "replay: the configuration the decisions were made with (default: embedded defaults)")
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
	if sub == "replay" {
		return runAuditReplay(ctx, e, log, *cfgPath, *tenant)
	}
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

// runAuditReplay decides every audited decision again from its record and
// reports the ones whose output differs.
func runAuditReplay(ctx context.Context, e *env, log audit.Log, cfgPath, tenant string) int {
	cfg, code := loadConfig(e, "audit replay", cfgPath)
	if code >= 0 {
		return code
	}
	eng, err := pipeline.New(ctx, cfg, pipeline.Options{Intel: intel.Empty()})
	if err != nil {
		fmt.Fprintf(e.stderr, "winnow audit replay: %v\n", err)
		return ExitRejected
	}
	total, differ := 0, 0
	for from := int64(0); ; { // Entries returns Seq > from
		entries, err := log.Entries(ctx, from, 1000)
		if err != nil {
			fmt.Fprintf(e.stderr, "winnow audit replay: %v\n", err)
			return ExitRejected
		}
		for _, en := range entries {
			from = en.Seq
			if en.Kind != audit.KindDecision || (tenant != "" && en.Tenant != tenant) {
				continue
			}
			pl, err := audit.Decode(en.Kind, en.Payload)
			if err != nil {
				fmt.Fprintf(e.stderr, "winnow audit replay: record %d: %v\n", en.Seq, err)
				return ExitRejected
			}
			rec := pl.(*audit.Decision)
			got, err := eng.Replay(rec)
			total++
			if err != nil {
				differ++
				fmt.Fprintf(e.stdout, "record %d (%s): %v\n", en.Seq, rec.Decision.AlertID, err)
				continue
			}
			want, _ := json.Marshal(rec.Decision) // plain data: cannot fail
			have, _ := json.Marshal(got)
			if !bytes.Equal(want, have) {
				differ++
				fmt.Fprintf(e.stdout, "record %d (%s): replay differs: score %d -> %d, disposition %s -> %s, priority %s -> %s\n",
					en.Seq, rec.Decision.AlertID, rec.Decision.Score, got.Score, rec.Decision.Disposition, got.Disposition,
					rec.Decision.Priority, got.Priority)
			}
		}
		if len(entries) < 1000 {
			break
		}
	}
	fmt.Fprintf(e.stdout, "%d decisions replayed, %d differ\n", total, differ)
	if differ > 0 {
		return ExitRejected
	}
	return ExitOK
}
