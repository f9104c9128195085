package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// orgCommand manages organisations: the parent companies whose brands
// (tenants) inherit their settings.
func orgCommand() command {
	c := command{name: "org", usage: "org list|create|update|settings|set|reset|role [flags]",
		summary: "Manage organisations: parent companies whose brands inherit their settings."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve org <action> [flags]

Manage organisations: a parent company runs several brands (tenants); each
brand inherits the organisation's settings (colours, logo, email sender,
footer, legal pages, policies) unless it overrides them.

Actions:
  list      list organisations and their brands
  create    create an organisation: --slug and --name are required
  update    change an organisation's name or logo
  settings  show the organisation's settings
  set       set one setting for every brand that inherits it: --key and --value
  reset     reset one setting named by --key to its default
  role      organisation-level roles: 'role grant', 'role revoke', 'role list'
            (a staff account of one brand acting in every brand of the
            organisation, chosen with the brand switcher)

Brands join an organisation with 'salve tenant create --org ORG [--parent SLUG]'.
Run 'salve org <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("org needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		if action == "role" {
			return orgRole(ctx, env, args)
		}
		sub := command{name: "org " + action, usage: "org " + action + " [flags]"}
		switch action {
		case "list":
			sub.summary = "List organisations and their brands."
		case "create":
			sub.summary = "Create an organisation."
		case "update":
			sub.summary = "Change an organisation; only the flags given change."
		case "settings":
			sub.summary = "Show an organisation's settings."
		case "set":
			sub.summary = "Set one setting at an organisation."
		case "reset":
			sub.summary = "Reset one setting of an organisation to its default."
		default:
			return usagef("unknown org action %q; see 'salve org -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		var slug, name, logo, key, value, valueFile string
		if action != "list" {
			fs.StringVar(&slug, "slug", "", "the organisation's short name (a-z, 0-9, dashes)")
		}
		switch action {
		case "create", "update":
			fs.StringVar(&name, "name", "", "the organisation's name")
			fs.StringVar(&logo, "logo", "", "logo image file every brand without its own logo shows; \"none\" removes it")
		case "set", "reset":
			fs.StringVar(&key, "key", "", "the setting's key, as 'salve org settings' lists them")
			if action == "set" {
				fs.StringVar(&value, "value", "", "the value")
				fs.StringVar(&valueFile, "value-file", "", "read the value from this file (a legal page's text)")
			}
		}
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		if action != "list" && slug == "" {
			return usagef("--slug is required")
		}
		db, err := store.Open(ctx, store.Catalog, cfg.StoreDSN("catalog"))
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
		repo := store.NewTenants(db)
		if action == "list" {
			return listOrgs(ctx, env, repo)
		}
		if action == "create" {
			now := env.Clock.Now()
			o := &tenant.Organisation{ID: id.NewAt(now), Slug: slug, Name: name, CreatedAt: now, UpdatedAt: now}
			if err := setOrgLogo(env, o, logo); err != nil {
				return err
			}
			o.Normalize()
			if err := o.Validate(); err != nil {
				return tenantErr(err, o.Slug)
			}
			if err := repo.CreateOrg(ctx, o); err != nil {
				return tenantErr(err, o.Slug)
			}
			fmt.Fprintf(env.Stdout, "created organisation %s (%s)\n", o.Slug, o.ID)
			return nil
		}
		o, err := repo.OrgBySlug(ctx, slug)
		if err != nil {
			return orgErr(err, slug)
		}
		switch action {
		case "update":
			set := make(map[string]bool)
			fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
			if set["name"] {
				o.Name = name
			}
			if err := setOrgLogo(env, o, logo); err != nil {
				return err
			}
			o.Normalize()
			if err := o.Validate(); err != nil {
				return tenantErr(err, o.Slug)
			}
			o.UpdatedAt = env.Clock.Now()
			if err := repo.UpdateOrg(ctx, o); err != nil {
				return orgErr(err, slug)
			}
			fmt.Fprintf(env.Stdout, "updated organisation %s\n", o.Slug)
			return nil
		default:
			value, err := settingValue(env, value, valueFile)
			if err != nil {
				return err
			}
			return settingsAction(ctx, env, repo, action, o.ID, o.Slug, key, value, func() (map[string]tenant.Resolved, error) {
				o, err := repo.OrgBySlug(ctx, slug)
				if err != nil {
					return nil, err
				}
				return tenant.ResolveSettings(&tenant.Tenant{}, nil, o), nil
			})
		}
	}
	return c
}

// setOrgLogo reads --logo (a file, or "none") into the organisation.
func setOrgLogo(env *Env, o *tenant.Organisation, path string) error {
	if path == "" {
		return nil
	}
	var data []byte
	if path != "none" {
		b, err := env.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read logo: %w", err)
		}
		data = b
	}
	// The same checks as a brand's logo: decoded by content, bounded.
	var t tenant.Tenant
	if err := t.SetLogo(data); err != nil {
		return tenantErr(err, o.Slug)
	}
	o.Logo = t.Logo
	return nil
}

func orgErr(err error, slug string) error {
	if e := tenantErr(err, slug); e != nil && strings.HasPrefix(e.Error(), "no tenant ") {
		return fmt.Errorf("no organisation %q", slug)
	}
	return tenantErr(err, slug)
}

func listOrgs(ctx context.Context, env *Env, repo *store.Tenants) error {
	orgs, err := repo.ListOrgs(ctx)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		fmt.Fprintln(env.Stdout, "no organisations yet; create one with 'salve org create --slug S --name N'")
		return nil
	}
	ts, err := repo.List(ctx)
	if err != nil {
		return err
	}
	brands := make(map[string][]string)
	for _, t := range ts {
		if t.OrgID != "" {
			brands[t.OrgID] = append(brands[t.OrgID], t.Slug)
		}
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tBRANDS\tID")
	for _, o := range orgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Slug, o.Name, dash(strings.Join(brands[o.ID], ",")), o.ID)
	}
	return tw.Flush()
}
