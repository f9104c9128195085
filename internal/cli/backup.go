package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func backupCommand() command {
	c := command{name: "backup", usage: "backup create|verify|restore [flags]",
		summary: "Make encrypted backups of the three stores, verify them, restore them."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve backup <action> [flags]

Encrypted backups of the catalog, PHI and audit stores (with the audit key and
checkpoints, never the KEK), encrypted with age to public keys whose private
halves you keep offline. See docs/operations.md.

Actions:
  create    snapshot the stores while Salve serves, encrypt to every
            --recipient and write to every --to target; prints the backup id
  verify    download a backup (--from, --id), check every file's hash, decrypt
            it with --identity into a scratch place, compare row counts and
            verify the audit chain; exit 1 naming the first bad file
  restore   verify, then load the backup into the configured stores, which
            must be empty, and replay the shred ledger kept beside the KEK

Targets: dir:/path, or s3://host[:port]/bucket[/prefix] with the credentials
in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (s3+http:// to loopback only).

Run 'salve backup <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("backup needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "backup " + action, usage: "backup " + action + " [flags]"}
		var to, recipients, recipientFiles, identities listFlag
		var from, id, scratchDB string
		var noLedger bool
		switch action {
		case "create":
			sub.summary = "Back up the stores, encrypted, to one or more targets."
		case "verify":
			sub.summary = "Check a backup: hashes, row counts, audit chain."
		case "restore":
			sub.summary = "Restore a backup into empty stores and replay the shred ledger."
		default:
			return usagef("unknown backup action %q; see 'salve backup -h'", action)
		}
		fs := flags(env, sub)
		var l *config.Loader
		if action != "verify" {
			l = config.NewLoader(fs, config.Stores|config.Logging, nil)
		}
		switch action {
		case "create":
			fs.Var(&to, "to", "a target to write the backup to: dir:/path or s3://host/bucket/prefix (repeatable)")
			fs.Var(&recipients, "recipient", "an age public key (age1...) to encrypt to (repeatable)")
			fs.Var(&recipientFiles, "recipients-file", "a file of age public keys, one a line (repeatable)")
		default:
			fs.StringVar(&from, "from", "", "the target the backup is in: dir:/path or s3://host/bucket/prefix")
			fs.StringVar(&id, "id", "", "the backup's id, as create printed it")
			fs.Var(&identities, "identity", "an age identity file (AGE-SECRET-KEY-1...) to decrypt with (repeatable)")
		}
		if action == "restore" {
			fs.BoolVar(&noLedger, "no-shred-ledger", false, "restore although there is no shred ledger beside the KEK: say so only for an installation that never shredded anyone")
		}
		if action == "verify" {
			fs.StringVar(&scratchDB, "scratch-db", "", "for a PostgreSQL backup: an empty database to restore the audit store into and verify its chain (its schema is dropped after)")
		}
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		var cfg *config.Config
		if l != nil {
			var err error
			if cfg, err = l.Load(env.Getenv, env.ReadFile); err != nil {
				return err
			}
			if cfg.Role == config.RoleStorefront {
				return &config.Error{Setting: "role", Msg: "a storefront holds no PHI to back up or restore"}
			}
		}
		if action == "create" {
			return backupCreate(ctx, env, cfg, to, recipients, recipientFiles)
		}
		if from == "" || id == "" || len(identities) == 0 {
			return usagef("--from, --id and --identity are required")
		}
		t, err := backup.ParseTarget(from, env.Getenv)
		if err != nil {
			return usagef("--from: %v", err)
		}
		ids, err := readIdentities(env, identities)
		if err != nil {
			return err
		}
		start := env.Clock.Now()
		if action == "verify" {
			rep, err := backup.Verify(ctx, t, id, ids, backup.VerifyOptions{ScratchDB: scratchDB})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "backup %s is intact: %d files, %d rows, audit chain of %d events verified against %d checkpoints (head %d), in %s\n",
				rep.ID, rep.Files, rep.Rows, rep.AuditEvents, rep.Checkpoints, rep.AuditHead.Seq, env.Clock.Now().Sub(start).Round(time.Millisecond))
			if rep.Checkpoints == 0 && rep.AuditEvents > 0 {
				fmt.Fprintln(env.Stdout, "warning: the backup holds no signed checkpoint (none was written before it was taken); the chain is consistent but nothing anchors it")
			}
			return nil
		}
		d := backup.Destination{Catalog: cfg.StoreDSN("catalog"), PHI: cfg.StoreDSN("phi"), Audit: cfg.StoreDSN("audit"),
			AuditKeyFile: cfg.AuditKeyPath(), CheckpointFile: cfg.AuditCheckpointPath(), LedgerFile: cfg.ShredLedgerPath(), NoLedger: noLedger}
		rep, err := backup.Restore(ctx, t, id, ids, d, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "restored backup %s: %d rows, audit chain of %d events verified, %d shred ledger entries replayed, in %s\n",
			rep.ID, rep.Rows, rep.AuditEvents, rep.Reshredded, env.Clock.Now().Sub(start).Round(time.Millisecond))
		if _, err := os.Stat(cfg.KEKPath()); err != nil {
			fmt.Fprintf(env.Stdout, "warning: no KEK at %s: backups never hold it; put the KEK file there before 'salve serve'\n", cfg.KEKPath())
		}
		return nil
	}
	return c
}

func backupCreate(ctx context.Context, env *Env, cfg *config.Config, to, recipients, recipientFiles listFlag) error {
	if len(to) == 0 {
		return usagef("--to is required")
	}
	var rs []age.Recipient
	for _, r := range recipients {
		x, err := age.ParseX25519Recipient(r)
		if err != nil {
			return usagef("--recipient: %v", err)
		}
		rs = append(rs, x)
	}
	for _, f := range recipientFiles {
		b, err := env.ReadFile(f)
		if err != nil {
			return usagef("--recipients-file: %v", err)
		}
		x, err := age.ParseRecipients(bytes.NewReader(b))
		if err != nil {
			return usagef("--recipients-file %s: %v", f, err)
		}
		rs = append(rs, x...)
	}
	// Why required: a backup is only ever written encrypted, to keys whose
	// private halves are offline; there is no unencrypted mode.
	if len(rs) == 0 {
		return usagef("--recipient or --recipients-file is required: backups are always encrypted")
	}
	var ts []backup.Target
	for _, s := range to {
		t, err := backup.ParseTarget(s, env.Getenv)
		if err != nil {
			return usagef("--to: %v", err)
		}
		ts = append(ts, t)
	}
	src := backup.Sources{AuditKeyFile: cfg.AuditKeyPath(), CheckpointFile: cfg.AuditCheckpointPath()}
	for _, k := range store.Kinds {
		db, err := store.Open(ctx, k, cfg.StoreDSN(string(k)))
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
		switch k {
		case store.Catalog:
			src.Catalog = db
		case store.PHI:
			src.PHI = db
		case store.Audit:
			src.Audit = db
		}
	}
	start := env.Clock.Now()
	m, err := backup.Create(ctx, src, backup.Options{Recipients: rs, Targets: ts, Now: start})
	if err != nil {
		return err
	}
	var size, rows int64
	for _, f := range m.Files {
		size += f.Size
	}
	for _, s := range m.Stores {
		for _, n := range s.Rows {
			rows += n
		}
	}
	fmt.Fprintf(env.Stdout, "%s\n", m.ID)
	fmt.Fprintf(env.Stderr, "backup %s: %d files, %d bytes encrypted, %d rows, audit head %d, written to %d target(s) in %s\n",
		m.ID, len(m.Files), size, rows, m.AuditHead.Seq, len(ts), env.Clock.Now().Sub(start).Round(time.Millisecond))
	return nil
}

// readIdentities reads age identity files.
func readIdentities(env *Env, files []string) ([]age.Identity, error) {
	var out []age.Identity
	for _, f := range files {
		b, err := env.ReadFile(f)
		if err != nil {
			return nil, usagef("--identity: %v", err)
		}
		ids, err := age.ParseIdentities(bytes.NewReader(b))
		if err != nil {
			return nil, usagef("--identity %s: %v", f, errors.Unwrap(err))
		}
		out = append(out, ids...)
	}
	return out, nil
}
