package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/salvehealth/salve/internal/compliance"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
)

func complianceCommand() command {
	c := command{name: "compliance", usage: "compliance report|diagram|sbom [flags]",
		summary: "Check the running system (the compliance report), draw its data flow, print its SBOM."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve compliance <action> [flags]

Compliance evidence drawn from the running system. Give the same settings
as 'salve serve' (flags or SALVE_* variables) so the report checks what the
server runs with.

Actions:
  report    check TLS on every listener, MFA for every staff member, the
            key-encryption key's age, the audit log (verified now against
            its signed checkpoints), backup age, inactive accounts and BAAs,
            and map each HIPAA safeguard to the feature and test behind it;
            text, or JSON with --json; exits 1 when a required check fails
  diagram   the data-flow diagram: the stores and where they live, the
            process role, each integration with its vendor and BAA status,
            and the data classes along each edge; Graphviz DOT, or SVG with
            --svg (needs the graphviz package)
  sbom      a CycloneDX (JSON) software bill of materials of this binary's
            modules

Run 'salve compliance <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("compliance needs an action")
			}
			return flag.ErrHelp
		}
		action := args[0]
		sub := command{name: "compliance " + action, usage: "compliance " + action + " [flags]", summary: c.summary}
		switch action {
		case "report", "diagram":
		case "sbom":
			if err := parse(env, flags(env, sub), args[1:], 0); err != nil {
				return err
			}
			bi, ok := debug.ReadBuildInfo()
			if !ok {
				return errors.New("this binary carries no build information")
			}
			return compliance.SBOM(env.Stdout, bi, env.Clock.Now())
		default:
			return usagef("unknown compliance action %q; see 'salve compliance -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Server|config.Logging, nil)
		var asJSON, asSVG *bool
		if action == "report" {
			asJSON = fs.Bool("json", false, "print JSON")
		} else {
			asSVG = fs.Bool("svg", false, "print SVG (rendered by Graphviz dot) instead of DOT")
		}
		if err := parse(env, fs, args[1:], 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		stores, err := server.OpenStores(ctx, cfg)
		if err != nil {
			return err
		}
		defer func() { _ = stores.Close() }()
		if err := stores.CheckSchema(ctx); err != nil {
			return err
		}
		if err := stores.OpenVault(ctx, cfg, env.Clock, newLogger(cfg, env.Stderr)); err != nil {
			return err
		}
		src := server.NewCompliance(cfg, stores, env.Clock, server.BuildVersion())
		if action == "diagram" {
			dot, svg, err := src.Diagram(ctx)
			if !*asSVG {
				_, werr := fmt.Fprint(env.Stdout, dot)
				return werr
			}
			if err != nil {
				return err
			}
			_, err = env.Stdout.Write(svg)
			return err
		}
		ts, err := store.NewTenants(stores.Catalog).List(ctx)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(ts))
		for _, t := range ts {
			ids = append(ids, t.ID)
		}
		rep, err := src.Report(ctx, ids...)
		if err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(struct {
				compliance.Report
				Passed bool
			}{rep, len(rep.Failed()) == 0}); err != nil {
				return err
			}
		} else {
			printReport(env, rep)
		}
		if f := rep.Failed(); len(f) > 0 {
			names := make([]string, len(f))
			for i, c := range f {
				names[i] = c.ID
			}
			return fmt.Errorf("%d required check(s) failed: %s", len(f), strings.Join(names, ", "))
		}
		return nil
	}
	return c
}

func printReport(env *Env, rep compliance.Report) {
	fmt.Fprintf(env.Stdout, "Compliance report, %s, %s\n\n", rep.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), rep.Version)
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tREQUIRED\tRESULT\tDETAILS")
	for _, c := range rep.Checks {
		req := ""
		if c.Required {
			req = "required"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Title, req, strings.ToUpper(string(c.Status)), c.Detail)
	}
	_ = tw.Flush()
	fmt.Fprint(env.Stdout, "\nHIPAA safeguards, the feature that meets each, and the tests that prove it:\n\n")
	for _, s := range rep.Map {
		fmt.Fprintf(env.Stdout, "%s %s\n  feature: %s\n  tests:   %s\n", s.Ref, s.Name, s.Feature, strings.Join(s.Tests, ", "))
		if s.Partial != "" {
			fmt.Fprintf(env.Stdout, "  not yet: %s\n", s.Partial)
		}
	}
}
