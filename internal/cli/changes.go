package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
)

func changesCommand() command {
	c := command{name: "changes", usage: "changes list|approve|reject --tenant SLUG [flags]",
		summary: "List security-setting changes; approve or reject a pending one as the operator."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve changes <action> --tenant SLUG [flags]

Security settings (staff roles, retention rules, single sign-on) change
through a request that a second person approves; every change is recorded
with before and after (secrets masked), requester, approver, reason and
time, and so is each software version the server starts with.

Actions:
  list      the tenant's changes and the installation's, newest first
  approve   approve a pending change as the operator at the console
            (--id, --confirm): on an install with a single admin, the
            operator is the second person; this is recorded and audited
  reject    reject a pending change (--id); the setting stays as it was

Run 'salve changes <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("changes needs an action")
			}
			return flag.ErrHelp
		}
		action := args[0]
		if action != "list" && action != "approve" && action != "reject" {
			return usagef("unknown changes action %q; see 'salve changes -h'", action)
		}
		sub := command{name: "changes " + action, usage: "changes " + action + " --tenant SLUG [flags]", summary: c.summary}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		slug := fs.String("tenant", "", "the tenant's slug (required)")
		var asJSON, confirm *bool
		var changeID, note *string
		if action == "list" {
			asJSON = fs.Bool("json", false, "print JSON, one object per change")
		} else {
			changeID = fs.String("id", "", "the change's id, as list prints it (required)")
			note = fs.String("note", "", "a note for the record (one line)")
		}
		if action == "approve" {
			confirm = fs.Bool("confirm", false, "confirm that you, the operator at the console, approve this change as its second person (required)")
		}
		if err := parse(env, fs, args[1:], 0); err != nil {
			return err
		}
		if *slug == "" {
			return usagef("--tenant is required")
		}
		if changeID != nil && *changeID == "" {
			return usagef("--id is required")
		}
		// Why --confirm: the operator standing in as the second person is a
		// decision, not a side effect of running a command.
		if confirm != nil && !*confirm {
			return usagef("approving as the operator needs --confirm: you are recorded as the change's second person")
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		svc, t, done, err := servicesFor(ctx, env, cfg, *slug)
		if err != nil {
			return err
		}
		defer done()
		actx := access.WithActor(ctx, access.System("cli.changes", t.ID))
		switch action {
		case "list":
			list, err := svc.Changes.List(actx, t.ID, 1000)
			if err != nil {
				return err
			}
			return printChanges(env, svc.Changes, list, *asJSON)
		case "approve":
			ch, err := svc.Changes.ApproveAsOperator(actx, t.ID, *changeID, *note)
			if err != nil {
				return changeErr(err)
			}
			fmt.Fprintf(env.Stdout, "approved and applied %s %s (%s)\n", ch.Kind, ch.Target, ch.ID)
		case "reject":
			ch, err := svc.Changes.RejectAsOperator(actx, t.ID, *changeID, *note)
			if err != nil {
				return changeErr(err)
			}
			fmt.Fprintf(env.Stdout, "rejected %s %s (%s); the setting is as it was\n", ch.Kind, ch.Target, ch.ID)
		}
		return nil
	}
	return c
}

// changeErr makes a refusal a usage error with its message (exit 2).
func changeErr(err error) error {
	if e := apperr.As(err); e != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict || e.Code == apperr.Forbidden) {
		return usagef("%s", e.Message)
	}
	if apperr.Is(err, apperr.NotFound) {
		return usagef("no such change in this tenant (see 'salve changes list')")
	}
	return err
}

// fields prints a change's fields as name: before -> after.
func fields(c changes.Change) string {
	names := map[string]bool{}
	for k := range c.Before {
		names[k] = true
	}
	for k := range c.After {
		names[k] = true
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(names)) {
		parts = append(parts, fmt.Sprintf("%s: %q -> %q", n, c.Before[n], c.After[n]))
	}
	return strings.Join(parts, "; ")
}

func printChanges(env *Env, svc *changes.Service, list []changes.Change, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, c := range list {
			c.Payload = nil // what waits to be applied is not printed
			if err := enc.Encode(c); err != nil {
				return err
			}
		}
		return nil
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "no changes recorded yet")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUESTED\tID\tSETTING\tTARGET\tSTATUS\tREQUESTED BY\tDECIDED BY\tREASON\tBEFORE -> AFTER")
	for _, c := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.RequestedAt.UTC().Format(time.RFC3339), c.ID, svc.Title(c.Kind)+" ("+c.Kind+")",
			c.Target, c.Status, c.RequestedBy, c.DecidedBy, c.Reason, fields(c))
	}
	return tw.Flush()
}
