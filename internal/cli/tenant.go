package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

func tenantCommand() command {
	c := command{name: "tenant", usage: "tenant list|create|update|default|settings|set|reset [flags]",
		summary: "Manage tenants (brands): their name, host names, colours and logo."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve tenant <action> [flags]

Manage tenants (brands): their name, host names, colours and logo.

Actions:
  list      list tenants
  create    create a tenant: --slug and --name are required
  update    change a tenant named by --slug
  default   make the tenant named by --slug answer hosts that no tenant claims
  settings  show the tenant's inheritable settings: each value and where it comes from
  set       set one inheritable setting at the tenant: --key and --value
  reset     reset one setting named by --key to inherited

A tenant created with --org belongs to that organisation and inherits its
settings (see 'salve org -h'); --parent names a brand of the same organisation
it inherits from first.

Run 'salve tenant <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("tenant needs an action")
			}
			return flag.ErrHelp
		}
		action, args := args[0], args[1:]
		sub := command{name: "tenant " + action, usage: "tenant " + action + " [flags]"}
		var f tenantFlags
		switch action {
		case "list":
			sub.summary = "List tenants."
		case "create":
			sub.summary = "Create a tenant."
		case "update":
			sub.summary = "Change a tenant; only the flags given change."
		case "default":
			sub.summary = "Make a tenant answer hosts that no tenant claims."
		case "settings":
			sub.summary = "Show a tenant's inheritable settings and where each comes from."
		case "set":
			sub.summary = "Set one inheritable setting at a tenant (an override)."
		case "reset":
			sub.summary = "Reset one setting of a tenant to inherited."
		default:
			return usagef("unknown tenant action %q; see 'salve tenant -h'", action)
		}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		if action != "list" {
			f.bind(fs, action)
		}
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		if action != "list" && f.slug == "" {
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
		switch action {
		case "list":
			return listTenants(ctx, env, repo)
		case "settings", "set", "reset":
			t, err := repo.BySlug(ctx, f.slug)
			if err != nil {
				return tenantErr(err, f.slug)
			}
			value, err := settingValue(env, f.value, f.valueFile)
			if err != nil {
				return err
			}
			if d, ok := tenant.SettingDefByKey(f.key); ok && d.Approved && action != "settings" {
				// Why refused here: a brand's session lengths change only
				// through a request a second person approves.
				return usagef("%s changes at a brand only through an approved request (/admin/compliance/changes); set it for the whole organisation with 'salve org set'", f.key)
			}
			return settingsAction(ctx, env, repo, action, t.ID, t.Slug, f.key, value, func() (map[string]tenant.Resolved, error) {
				t, err := repo.BySlug(ctx, f.slug)
				if err != nil {
					return nil, err
				}
				return t.Settings, nil
			})
		case "default":
			t, err := repo.BySlug(ctx, f.slug)
			if err != nil {
				return tenantErr(err, f.slug)
			}
			if err := repo.SetDefault(ctx, t.ID); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s now answers hosts that no tenant claims\n", t.Slug)
			return nil
		case "create":
			now := env.Clock.Now()
			t := &tenant.Tenant{ID: id.NewAt(now), Slug: f.slug, Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
			if err := f.link(ctx, repo, t); err != nil {
				return err
			}
			if err := f.apply(fs, env, t); err != nil {
				return err
			}
			if err := repo.Create(ctx, t); err != nil {
				return tenantErr(err, f.slug)
			}
			if err := f.overrideColors(ctx, fs, env, repo, t); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "created tenant %s (%s)\n", t.Slug, t.ID)
			return nil
		default: // update
			t, err := repo.BySlug(ctx, f.slug)
			if err != nil {
				return tenantErr(err, f.slug)
			}
			if err := f.link(ctx, repo, t); err != nil {
				return err
			}
			if err := f.apply(fs, env, t); err != nil {
				return err
			}
			t.UpdatedAt = env.Clock.Now()
			if err := repo.Update(ctx, t); err != nil {
				return tenantErr(err, f.slug)
			}
			if err := f.overrideColors(ctx, fs, env, repo, t); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "updated tenant %s\n", t.Slug)
			return nil
		}
	}
	return c
}

// tenantFlags are the fields a tenant action can set.
type tenantFlags struct {
	slug, name, hosts, primary, accent, logo, contact, newSlug string
	org, parent, key, value, valueFile                         string
	makeDefault                                                bool
}

func (f *tenantFlags) bind(fs *flag.FlagSet, action string) {
	fs.StringVar(&f.slug, "slug", "", "the tenant's short name (a-z, 0-9, dashes)")
	switch action {
	case "default", "settings":
		return
	case "set", "reset":
		fs.StringVar(&f.key, "key", "", "the setting's key, as 'salve tenant settings' lists them")
		if action == "set" {
			fs.StringVar(&f.value, "value", "", "the value to set at this tenant")
			fs.StringVar(&f.valueFile, "value-file", "", "read the value from this file (a legal page's text)")
		}
		return
	}
	fs.StringVar(&f.org, "org", "", "the organisation (its slug) the tenant belongs to and inherits from; \"none\" leaves it")
	fs.StringVar(&f.parent, "parent", "", "a brand (its slug) of the same organisation to inherit from first; \"none\" for the organisation itself")
	fs.StringVar(&f.name, "name", "", "the name shown on every page")
	fs.StringVar(&f.hosts, "hosts", "", "comma-separated host names that select this tenant")
	fs.StringVar(&f.primary, "primary-color", "", "header colour, #rrggbb")
	fs.StringVar(&f.accent, "accent-color", "", "button and link colour, #rrggbb")
	fs.StringVar(&f.logo, "logo", "", "logo image file (PNG, JPEG or GIF, at most 512 KiB); \"none\" removes it")
	fs.StringVar(&f.contact, "security-contact", "", "email address that receives security alerts")
	if action == "create" {
		fs.BoolVar(&f.makeDefault, "default", false, "also make it answer hosts that no tenant claims")
	} else {
		fs.StringVar(&f.newSlug, "new-slug", "", "rename the tenant's slug")
	}
}

// apply sets the fields whose flags were given, then validates the whole.
func (f *tenantFlags) apply(fs *flag.FlagSet, env *Env, t *tenant.Tenant) error {
	set := make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["name"] {
		t.Name = f.name
	}
	if set["hosts"] {
		t.Hostnames = strings.Split(f.hosts, ",")
	}
	if set["primary-color"] {
		t.Theme.Primary = f.primary
	}
	if set["accent-color"] {
		t.Theme.Accent = f.accent
	}
	if set["security-contact"] {
		t.SecurityContact = f.contact
	}
	if set["new-slug"] {
		t.Slug = f.newSlug
	}
	t.IsDefault = t.IsDefault || f.makeDefault
	if set["logo"] {
		var data []byte
		if f.logo != "none" {
			b, err := env.ReadFile(f.logo)
			if err != nil {
				return fmt.Errorf("read logo: %w", err)
			}
			data = b
		}
		if err := t.SetLogo(data); err != nil {
			return tenantErr(err, t.Slug)
		}
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return tenantErr(err, t.Slug)
	}
	return nil
}

// link sets the tenant's organisation and parent from --org and --parent.
func (f *tenantFlags) link(ctx context.Context, repo *store.Tenants, t *tenant.Tenant) error {
	switch f.org {
	case "":
	case "none":
		t.OrgID, t.ParentID = "", ""
	default:
		o, err := repo.OrgBySlug(ctx, strings.ToLower(strings.TrimSpace(f.org)))
		if err != nil {
			if e := apperr.As(err); e != nil && e.Code == apperr.NotFound {
				return usagef("no organisation %q; create it with 'salve org create'", f.org)
			}
			return err
		}
		if t.OrgID != o.ID {
			t.ParentID = ""
		}
		t.OrgID = o.ID
	}
	switch f.parent {
	case "":
	case "none":
		t.ParentID = ""
	default:
		p, err := repo.BySlug(ctx, strings.ToLower(strings.TrimSpace(f.parent)))
		if err != nil {
			return tenantErr(err, f.parent)
		}
		t.ParentID = p.ID
	}
	return nil
}

// overrideColors records --primary-color and --accent-color as settings of
// a brand in an organisation, where colours are inherited unless set.
func (f *tenantFlags) overrideColors(ctx context.Context, fs *flag.FlagSet, env *Env, repo *store.Tenants, t *tenant.Tenant) error {
	if t.OrgID == "" {
		return nil
	}
	set := make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for flagName, key := range map[string]string{"primary-color": tenant.SetPrimaryColor, "accent-color": tenant.SetAccentColor} {
		if !set[flagName] {
			continue
		}
		v := t.Theme.Primary
		if key == tenant.SetAccentColor {
			v = t.Theme.Accent
		}
		if err := repo.SetSetting(ctx, t.ID, key, v, env.Clock.Now()); err != nil {
			return tenantErr(err, t.Slug)
		}
	}
	return nil
}

// settingValue returns --value, or the contents of --value-file.
func settingValue(env *Env, value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", usagef("give --value or --value-file, not both")
	}
	b, err := env.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read --value-file: %w", err)
	}
	return string(b), nil
}

// settingsAction shows, sets or resets the inheritable settings of an
// organisation or a brand (ownerID).
func settingsAction(ctx context.Context, env *Env, repo *store.Tenants, action, ownerID, slug, key, value string, load func() (map[string]tenant.Resolved, error)) error {
	switch action {
	case "set":
		if key == "" {
			return usagef("--key is required")
		}
		if err := repo.SetSetting(ctx, ownerID, key, value, env.Clock.Now()); err != nil {
			return tenantErr(err, slug)
		}
		fmt.Fprintf(env.Stdout, "%s: %s set\n", slug, key)
		return nil
	case "reset":
		if key == "" {
			return usagef("--key is required")
		}
		if err := repo.ResetSetting(ctx, ownerID, key, env.Clock.Now()); err != nil {
			return tenantErr(err, slug)
		}
		fmt.Fprintf(env.Stdout, "%s: %s reset to inherited\n", slug, key)
		return nil
	}
	settings, err := load()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tFROM")
	for _, d := range tenant.SettingDefs {
		r := settings[d.Key]
		from := r.From
		if r.FromSlug != "" && r.From != "brand" {
			from += " " + r.FromSlug
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Key, oneLine(r.Value), from)
	}
	return tw.Flush()
}

// dash shows an empty table cell as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine shortens a value for a table cell.
func oneLine(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if r := []rune(v); len(r) > 48 {
		return string(r[:47]) + "…"
	}
	if v == "" {
		return "-"
	}
	return v
}

// tenantErr turns field errors into one readable line.
func tenantErr(err error, slug string) error {
	e := apperr.As(err)
	switch {
	case e == nil:
		return err
	case e.Code == apperr.NotFound:
		return fmt.Errorf("no tenant %q", slug)
	case len(e.Fields) > 0:
		var parts []string
		for k, v := range e.Fields {
			parts = append(parts, "--"+strings.ReplaceAll(k, "_", "-")+": "+v)
		}
		return usagef("%s %s", e.Message, strings.Join(parts, "; "))
	default:
		return err
	}
}

func listTenants(ctx context.Context, env *Env, repo *store.Tenants) error {
	ts, err := repo.List(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		fmt.Fprintln(env.Stdout, "no tenants yet; create one with 'salve tenant create --slug S --name N --hosts H'")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	orgs, err := repo.ListOrgs(ctx)
	if err != nil {
		return err
	}
	orgSlug := make(map[string]string)
	for _, o := range orgs {
		orgSlug[o.ID] = o.Slug
	}
	parentSlug := make(map[string]string)
	for _, t := range ts {
		parentSlug[t.ID] = t.Slug
	}
	fmt.Fprintln(tw, "SLUG\tNAME\tHOSTS\tORG\tPARENT\tDEFAULT\tID")
	for _, t := range ts {
		def := ""
		if t.IsDefault {
			def = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Slug, t.Name, strings.Join(t.Hostnames, ","),
			dash(orgSlug[t.OrgID]), dash(parentSlug[t.ParentID]), def, t.ID)
	}
	return tw.Flush()
}
