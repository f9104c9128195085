package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/vault"
)

func keysCommand() command {
	c := command{name: "keys", usage: "keys status|rotate|retire [flags]",
		summary: "Show, rotate and retire versions of the key-encryption key (KEK)."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve keys <action> [flags]

Manage the key-encryption key (KEK) that wraps every subject's data key.

Actions:
  status    list KEK versions with their ages and how many keys each wraps
  rotate    add a KEK version, make it primary and re-wrap every data key in
            batches; if an earlier rotation was interrupted, finish it instead
  retire    destroy a KEK version that no longer wraps any key (--version)

Run 'salve keys <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("keys needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "keys " + action, usage: "keys " + action + " [flags]"}
		var version string
		var batch int
		switch action {
		case "status":
			sub.summary = "Show the KEK versions and key counts."
		case "rotate":
			sub.summary = "Rotate the KEK (resumable)."
		case "retire":
			sub.summary = "Destroy a KEK version that wraps nothing."
		default:
			return usagef("unknown keys action %q; see 'salve keys -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		switch action {
		case "rotate":
			fs.IntVar(&batch, "batch", vault.DefaultRotateBatch, "data keys re-wrapped per transaction")
		case "retire":
			fs.StringVar(&version, "version", "", "the KEK version to destroy, as 'salve keys status' lists it")
		}
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		if action == "retire" && version == "" {
			return usagef("--version is required")
		}
		if action == "rotate" && (batch < 1 || batch > 100000) {
			return usagef("--batch must be from 1 to 100000")
		}
		if cfg.Role == config.RoleStorefront {
			return &config.Error{Setting: "role", Msg: "a storefront holds no keys"}
		}
		log := newLogger(cfg, env.Stderr)
		stores, err := server.OpenStores(ctx, cfg)
		if err != nil {
			return err
		}
		defer func() {
			if err := stores.Close(); err != nil {
				log.Error("closing stores", "err", err)
			}
		}()
		if err := stores.CheckSchema(ctx); err != nil {
			return err
		}
		if err := stores.OpenVault(ctx, cfg, env.Clock, log); err != nil {
			return err
		}
		v := stores.Vault
		// Key changes are security-relevant settings changes: audited, by the
		// command as a system actor (DESIGN §5).
		actx := access.WithActor(ctx, access.System("keys-"+action, ""))
		switch action {
		case "status":
			return printKeyStatus(ctx, env, v)
		case "rotate":
			if err := stores.AuditLog.Append(actx, audit.Entry{Action: "vault.kek.rotate", ResourceType: "kek", Severity: audit.High, Purpose: access.PurposeSystem}); err != nil {
				return err
			}
			// The running count is a progress line on a terminal, and
			// nothing when piped: the result below is what a script reads.
			bar := env.progress("re-wrapping data keys", 0)
			res, err := v.Rotate(ctx, vault.RotateOptions{Batch: batch, Progress: func(done int) { bar.Set(int64(done)) }})
			bar.Done()
			if res.Added {
				fmt.Fprintf(env.Stdout, "added KEK version %s and made it primary\n", res.Primary)
			} else if res.Primary != "" {
				fmt.Fprintf(env.Stdout, "finishing the interrupted rotation to %s\n", res.Primary)
			}
			if err != nil {
				return fmt.Errorf("%w (run 'salve keys rotate' again to continue)", err)
			}
			fmt.Fprintf(env.Stdout, "rotation complete: %d data keys re-wrapped; every key is wrapped by %s\n", res.Rewrapped, res.Primary)
			return nil
		default:
			if err := stores.AuditLog.Append(actx, audit.Entry{Action: "vault.kek.retire", ResourceType: "kek", ResourceID: version, Severity: audit.High, Purpose: access.PurposeSystem}); err != nil {
				return err
			}
			if err := v.Retire(ctx, version); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "KEK version %s destroyed\n", version)
			return nil
		}
	}
	return c
}

func printKeyStatus(ctx context.Context, env *Env, v *vault.Vault) error {
	st, err := v.Status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tCREATED\tAGE\tSTATE\tKEYS")
	for _, kv := range st.Versions {
		state := "active"
		switch {
		case kv.Primary:
			state = "primary"
		case !kv.Retired.IsZero():
			state = "retired " + kv.Retired.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", kv.ID, kv.Created.Format(time.RFC3339), kv.Age.Round(time.Hour), state, kv.Keys)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\n%d subjects with a data key, %d shredded\n", st.DataKeys, st.Shredded)
	if st.Pending > 0 {
		fmt.Fprintf(env.Stdout, "%d keys are not yet on the primary version: run 'salve keys rotate' to finish\n", st.Pending)
	}
	return nil
}
