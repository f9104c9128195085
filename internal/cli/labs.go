package cli

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/config"
)

func labsCommand() command {
	c := command{name: "labs", usage: "labs import|delay --tenant SLUG [flags] [FILE]",
		summary: "Import lab results from a FHIR R4 bundle, or set the tenant's automatic release delay."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve labs <action> --tenant SLUG [flags] [FILE]

Lab results of one tenant.

Actions:
  import FILE   import the DiagnosticReport and Observation resources of a
                FHIR R4 bundle (JSON). Each report names its patient as
                Patient/<id> and its ordering clinician as
                Practitioner/<id> in performer (or give --clinician). A
                bundle with any problem imports nothing; every problem is
                listed with its line, column and field. Reports are held
                for the clinician (or the tenant's release delay).
  delay         set how long a report is held before it is released without
                a clinician (--hours; 0: never)

Run 'salve labs <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("labs needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "labs " + action}
		maxArgs := 0
		switch action {
		case "import":
			sub.usage, sub.summary, maxArgs = "labs import --tenant SLUG [--clinician ID] FILE", "Import a FHIR R4 bundle of lab reports: all or nothing.", 1
		case "delay":
			sub.usage, sub.summary = "labs delay --tenant SLUG --hours N", "Set the automatic release delay of lab reports (0: never)."
		default:
			return usagef("unknown labs action %q; see 'salve labs -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		slug := fs.String("tenant", "", "the tenant's slug (required)")
		clinician := fs.String("clinician", "", "import: the ordering clinician's account id, for reports that name none")
		hours := fs.Int("hours", -1, "delay: hours a report is held before it is released automatically; 0 for never")
		if err := parse(env, fs, args, maxArgs); err != nil {
			return err
		}
		switch {
		case *slug == "":
			return usagef("--tenant is required")
		case action == "import" && fs.NArg() != 1:
			return usagef("labs import needs the bundle file")
		case action == "delay" && *hours < 0:
			return usagef("--hours is required (0 for never)")
		}
		var body []byte
		if action == "import" {
			var err error
			if body, err = env.ReadFile(fs.Arg(0)); err != nil {
				return usagef("%v", err)
			}
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
		// Why a system actor: the operator's command runs on the host with
		// the keys, outside any session; every report is still audited
		// (actor system:labs.import) and checked like a clinician's.
		sys := access.WithActor(ctx, access.System("labs."+action, t.ID))
		if action == "delay" {
			if err := svc.Labs.SetReleaseDelay(sys, t.ID, time.Duration(*hours)*time.Hour); err != nil {
				return cliErr(err)
			}
			fmt.Fprintf(env.Stdout, "Lab reports of %s are now released automatically after %d hours (0: never).\n", t.Slug, *hours)
			return nil
		}
		ids, err := svc.Labs.ImportFor(sys, t.ID, body, *clinician)
		if err != nil {
			return cliErr(err)
		}
		fmt.Fprintf(env.Stdout, "Imported %d lab report(s), held for release: %s\n", len(ids), strings.Join(ids, " "))
		return nil
	}
	return c
}

// cliErr turns an invalid input into a usage error (exit 2) that lists each
// problem on its own line.
func cliErr(err error) error {
	e := apperr.As(err)
	if e == nil || (e.Code != apperr.Invalid && e.Code != apperr.NotFound && e.Code != apperr.Denied) {
		return err
	}
	if e.Code != apperr.Invalid {
		return usagef("a patient or clinician of the bundle is not one of this tenant")
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		b.WriteString("\n  " + k + ": " + e.Fields[k])
	}
	return &usageError{b.String()}
}
