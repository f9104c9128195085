package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
)

func catalogCommand() command {
	c := command{name: "catalog", usage: "catalog import|export|generate --tenant SLUG [FILE] (import and export also --org SLUG)",
		summary: "Import products from CSV, export them as CSV, or generate products for load tests, for one tenant."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve catalog <action> --tenant SLUG [FILE]

Import products from CSV, export them as CSV, or generate products for load
tests, for one tenant. import and export take --org SLUG instead of --tenant
for an organisation's shared catalog, which its brands choose from (and
price) at /admin/catalog/organisation; a change to it reaches every brand
that sells the product in the same transaction.

Actions:
  import FILE   read products from a CSV file: one row per variant, columns
                `+strings.Join(catalog.CSVHeader, ",")+`
                Products are matched by slug and variants by SKU. A file with
                any bad row changes nothing; every bad line is listed.
  export        write every product of the tenant as CSV to standard output
  generate      add --count generated products (names such as "Verdant Zinc
                Gentle Gummies 60 count") for load tests and benchmarks

Run 'salve catalog <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("catalog needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "catalog " + action}
		maxArgs := 0
		switch action {
		case "import":
			sub.usage, sub.summary, maxArgs = "catalog import --tenant SLUG|--org SLUG FILE", "Import products from a CSV file; a file with any bad row changes nothing.", 1
		case "export":
			sub.usage, sub.summary = "catalog export --tenant SLUG|--org SLUG > products.csv", "Write every product of the tenant as CSV to standard output."
		case "generate":
			sub.usage, sub.summary = "catalog generate --tenant SLUG [--count N]", "Add generated products for load tests and benchmarks (never on a live store)."
		default:
			return usagef("unknown catalog action %q; see 'salve catalog -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		slug := fs.String("tenant", "", "the tenant's slug (required, unless --org)")
		org := ""
		if action != "generate" {
			fs.StringVar(&org, "org", "", "an organisation's slug: its shared catalog instead of a tenant's (import, export)")
		}
		count := 0
		if action == "generate" {
			fs.IntVar(&count, "count", 100000, "how many products to add (generate)")
		}
		if err := parse(env, fs, args, maxArgs); err != nil {
			return err
		}
		if (*slug == "") == (org == "") {
			return usagef("give --tenant or --org (one of them)")
		}
		if action == "import" && fs.NArg() != 1 {
			return usagef("catalog import needs the CSV file")
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		db, err := store.Open(ctx, store.Catalog, cfg.StoreDSN("catalog"))
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
		var svc *catalog.Service
		var ownerID string
		if org != "" {
			// The organisation's catalog through the same import and export:
			// its store saves products only, and rewrites every brand's copy.
			o, err := store.NewTenants(db).OrgBySlug(ctx, org)
			if err != nil {
				return orgErr(err, org)
			}
			svc, ownerID, *slug = catalog.NewService(store.NewOrgCatalogRepo(db), env.Clock), o.ID, org
		} else {
			t, err := store.NewTenants(db).BySlug(ctx, *slug)
			if err != nil {
				return tenantErr(err, *slug)
			}
			svc, ownerID = catalog.NewService(store.NewCatalogRepo(db), env.Clock), t.ID
		}
		if action == "export" {
			return svc.Export(ctx, ownerID, env.Stdout)
		}
		if action == "generate" {
			if count < 1 || count > 1_000_000 {
				return usagef("--count must be from 1 to 1000000")
			}
			err := svc.GenerateProducts(ctx, ownerID, count, 1000, func(done int) {
				if done%10000 == 0 || done == count {
					fmt.Fprintf(env.Stderr, "generated %d of %d products\n", done, count)
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "generated %d products for %s\n", count, *slug)
			return nil
		}
		data, err := env.ReadFile(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("read %s: %w", fs.Arg(0), err)
		}
		// Reading the file is shown in bytes, then saving as one step (it is
		// one transaction); on a terminal only.
		bar := env.progress("reading "+fs.Arg(0)+" (bytes)", int64(len(data)))
		res, err := svc.Import(ctx, ownerID, &countingReader{r: bytes.NewReader(data), p: bar, then: "saving the products"})
		bar.Done()
		if err != nil {
			var ie *catalog.ImportError
			if errors.As(err, &ie) {
				return fmt.Errorf("%s was not imported; nothing changed:\n  %s", fs.Arg(0), strings.Join(ie.Lines, "\n  "))
			}
			if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
				return fmt.Errorf("%s was not imported; nothing changed: %s %v", fs.Arg(0), e.Message, e.Fields)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %s: %d products created, %d updated, %d variants\n", fs.Arg(0), res.Created, res.Updated, res.Variants)
		return nil
	}
	return c
}
