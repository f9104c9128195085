package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
)

func auditCommand() command {
	c := command{name: "audit", usage: "audit verify|export [flags]",
		summary: "Check the audit log's hash chain and signed checkpoints, or export events as JSON lines."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve audit <action> [flags]

Check or export the audit log.

Actions:
  verify    walk the hash chain and the signed checkpoints; exit 0 when intact,
            1 naming the first bad event when anything was edited, inserted,
            deleted, reordered or cut off
  export    write the events of a time range (--from, --to) as JSON lines

Run 'salve audit <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("audit needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "audit " + action, usage: "audit " + action + " [flags]"}
		var from, to string
		switch action {
		case "verify":
			sub.summary = "Verify the audit log against its signed checkpoints."
		case "export":
			sub.summary = "Export audit events as JSON lines on stdout."
		default:
			return usagef("unknown audit action %q; see 'salve audit -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		if action == "export" {
			fs.StringVar(&from, "from", "", "first time to export (RFC 3339 or YYYY-MM-DD, UTC); empty for the beginning")
			fs.StringVar(&to, "to", "", "time to stop before (RFC 3339 or YYYY-MM-DD, UTC); empty for now")
		}
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		var t0, t1 time.Time
		if action == "export" {
			if t0, err = parseWhen(from); err != nil {
				return usagef("--from: %v", err)
			}
			if t1, err = parseWhen(to); err != nil {
				return usagef("--to: %v", err)
			}
		}
		// Only the audit store: verifying needs neither PHI nor keys beyond
		// the public half of the checkpoint key.
		db, err := store.Open(ctx, store.Audit, cfg.StoreDSN("audit"))
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
		events := store.NewAuditEvents(db)
		if action == "export" {
			_, err := audit.Export(ctx, events, env.Stdout, t0, t1)
			return err
		}
		return verifyAudit(ctx, env, cfg, events)
	}
	return c
}

func verifyAudit(ctx context.Context, env *Env, cfg *config.Config, chain audit.Chain) error {
	pub, err := audit.LoadPublicKey(cfg.AuditKeyPath())
	if err != nil {
		return err
	}
	bar := env.progress("verifying audit events", 0)
	rep, err := audit.VerifyWithProgress(ctx, chain, audit.NewFileSink(cfg.AuditCheckpointPath()), pub, func(done, total int64) {
		bar.Total(total)
		bar.Set(done)
	})
	bar.Done()
	if err != nil {
		return err
	}
	if !rep.OK {
		return fmt.Errorf("audit log is NOT intact: first bad event is %d: %s", rep.FirstBad, rep.Problem)
	}
	fmt.Fprintf(env.Stdout, "audit log intact: %d events, head %x, %d checkpoints, signed up to event %d\n",
		rep.Events, rep.Head, rep.Checkpoints, rep.Anchored)
	if rep.Checkpoints == 0 && rep.Events > 0 {
		fmt.Fprintf(env.Stdout, "warning: no signed checkpoints in %s; the chain is consistent but nothing anchors it\n", cfg.AuditCheckpointPath())
	}
	if rep.Anchored < rep.HeadSeq {
		fmt.Fprintf(env.Stdout, "events %d to %d are chained but not yet covered by a signed checkpoint\n", rep.Anchored+1, rep.HeadSeq)
	}
	return nil
}

// parseWhen reads an RFC 3339 time or a date (midnight UTC); "" is zero.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time or a YYYY-MM-DD date", s)
	}
	return t, nil
}
