package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// orgRole is 'salve org role grant|revoke|list': organisation-level roles
// (issue 20 point 4). An operator's act, like 'salve user create': audited
// in the account's brand as a system job.
func orgRole(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(env.Stdout, `Usage: salve org role <grant|revoke|list> [flags]

An organisation-level role lets a staff account of one brand act in every
brand of its organisation: it signs in at its own brand's host as always, and
the brand switcher in the staff header chooses the brand it acts in, with
this role (in its own brand it keeps its own role). Brand-level roles stay
within their brand. One organisation role per account.

  grant   --org ORG --tenant SLUG --email ADDRESS --role ROLE
  revoke  --org ORG --tenant SLUG --email ADDRESS
  list    --org ORG

--tenant is the account's own brand. Roles: `+strings.Join(staffRoleNames(), ", ")+`
`)
		if len(args) == 0 {
			return usagef("org role needs an action")
		}
		return flag.ErrHelp
	}
	action, args := args[0], args[1:]
	sub := command{name: "org role " + action, usage: "org role " + action + " [flags]"}
	switch action {
	case "grant":
		sub.summary = "Give a staff account an organisation-level role."
	case "revoke":
		sub.summary = "Take an account's organisation-level role away."
	case "list":
		sub.summary = "List an organisation's roles."
	default:
		return usagef("unknown org role action %q; see 'salve org role -h'", action)
	}
	fs := flags(env, sub)
	l := config.NewLoader(fs, config.Stores|config.Logging, nil)
	orgSlug := fs.String("org", "", "the organisation's slug (required)")
	var slug, email, role string
	if action != "list" {
		fs.StringVar(&slug, "tenant", "", "the slug of the account's own brand (required)")
		fs.StringVar(&email, "email", "", "the account's email address (required)")
	}
	if action == "grant" {
		fs.StringVar(&role, "role", "", "the role: "+strings.Join(staffRoleNames(), ", ")+" (required)")
	}
	if err := parse(env, fs, args, 0); err != nil {
		return err
	}
	switch {
	case *orgSlug == "":
		return usagef("--org is required")
	case action != "list" && slug == "":
		return usagef("--tenant is required")
	case action != "list" && email == "":
		return usagef("--email is required")
	case action == "grant" && !access.Role(role).Staff():
		return usagef("--role must be one of %s", strings.Join(staffRoleNames(), ", "))
	}
	cfg, err := l.Load(env.Getenv, env.ReadFile)
	if err != nil {
		return err
	}
	if action == "list" {
		return listOrgRoles(ctx, env, cfg, *orgSlug)
	}
	svc, t, done, err := servicesFor(ctx, env, cfg, slug)
	if err != nil {
		return err
	}
	defer done()
	if t.OrgID == "" {
		return usagef("--tenant: %s belongs to no organisation", slug)
	}
	org, err := orgBySlug(ctx, cfg, *orgSlug)
	if err != nil {
		return err
	}
	ctx = access.WithActor(ctx, access.System("org-role", t.ID))
	if action == "grant" {
		uid, err := svc.Grants.GrantOrgRole(ctx, org.ID, t.ID, email, access.Role(role))
		if err != nil {
			return orgRoleErr(err, slug)
		}
		fmt.Fprintf(env.Stdout, "account %s of %s acts as %s in every brand of %s\n", uid, slug, role, org.Slug)
		return nil
	}
	if err := svc.Grants.RevokeOrgRole(ctx, org.ID, t.ID, email); err != nil {
		return orgRoleErr(err, slug)
	}
	fmt.Fprintf(env.Stdout, "the account has no organisation role in %s any more\n", org.Slug)
	return nil
}

// orgByID finds an organisation by its slug in the catalog store.
func orgBySlug(ctx context.Context, cfg *config.Config, slug string) (*tenant.Organisation, error) {
	db, err := store.Open(ctx, store.Catalog, cfg.StoreDSN("catalog"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	org, err := store.NewTenants(db).OrgBySlug(ctx, slug)
	if apperr.Is(err, apperr.NotFound) {
		return nil, usagef("--org: no organisation %q (see 'salve org list')", slug)
	}
	if err != nil {
		return nil, err
	}
	return org, nil
}

// orgRoleErr turns a refusal into the command's usage error.
func orgRoleErr(err error, slug string) error {
	if apperr.Is(err, apperr.NotFound) {
		return usagef("no such staff account with an organisation role in %s (check --email and --tenant)", slug)
	}
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		return usagef("%s", e.Message)
	}
	return err
}

// staffRoleNames lists the roles an organisation role may be.
func staffRoleNames() []string {
	var out []string
	for _, r := range access.Roles {
		if r.Staff() {
			out = append(out, string(r))
		}
	}
	return out
}

// listOrgRoles prints an organisation's roles: account ids and brands, no
// addresses (the list needs no PHI).
func listOrgRoles(ctx context.Context, env *Env, cfg *config.Config, orgSlug string) error {
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = stores.Close() }()
	if err := stores.CheckSchema(ctx); err != nil {
		return err
	}
	tenants := store.NewTenants(stores.Catalog)
	org, err := tenants.OrgBySlug(ctx, orgSlug)
	if err != nil {
		return orgErr(err, orgSlug)
	}
	roles, err := store.NewLinks(stores.PHI).OrgRoles(ctx, org.ID)
	if err != nil {
		return err
	}
	if len(roles) == 0 {
		fmt.Fprintf(env.Stdout, "no organisation roles in %s yet; give one with 'salve org role grant'\n", org.Slug)
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tBRAND\tROLE\tSINCE")
	for _, r := range roles {
		brand := r.TenantID
		if t, err := tenants.ByID(ctx, r.TenantID); err == nil {
			brand = t.Slug
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.UserID, brand, r.Role, r.CreatedAt.Format("2006-01-02"))
	}
	return tw.Flush()
}
