package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

func userCommand() command {
	c := command{name: "user", usage: "user create --tenant SLUG --role ROLE --email ADDRESS --password-file FILE [flags]",
		summary: "Create an account: staff set up by an operator (they enrol a second factor at first sign-in)."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve user create [flags]

Create an account. Salve has no default accounts: the first administrator is
made with this command. Staff must set up a second factor when they first sign
in; their password needs at least 8 characters, a patient's at least 15.

Roles: `+strings.Join(roleNames(), ", ")+`

Run 'salve user create -h' for the flags.
`)
			if len(args) == 0 {
				return usagef("user needs an action")
			}
			return flag.ErrHelp
		}
		if args[0] != "create" {
			return usagef("unknown user action %q; see 'salve user -h'", args[0])
		}
		sub := command{name: "user create", usage: c.usage, summary: c.summary}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		slug := fs.String("tenant", "", "the tenant's slug (required)")
		role := fs.String("role", "", "the role: "+strings.Join(roleNames(), ", ")+" (required)")
		email := fs.String("email", "", "the person's email address (required)")
		name := fs.String("name", "", "the person's name")
		pwFile := fs.String("password-file", "", "a file holding the password on its first line (required); never a flag, so it stays out of shell history and process lists")
		if err := parse(env, fs, args[1:], 0); err != nil {
			return err
		}
		switch {
		case *slug == "":
			return usagef("--tenant is required")
		case !access.Role(*role).Valid() || access.Role(*role) == access.RoleSystem:
			return usagef("--role must be one of %s", strings.Join(roleNames(), ", "))
		case *email == "":
			return usagef("--email is required")
		case *pwFile == "":
			return usagef("--password-file is required")
		}
		b, err := env.ReadFile(*pwFile)
		if err != nil {
			return usagef("--password-file: %v", err)
		}
		password, _, _ := strings.Cut(string(b), "\n")
		password = strings.TrimSuffix(password, "\r")
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		return createUser(ctx, env, cfg, *slug, access.Role(*role), *email, *name, password)
	}
	return c
}

func roleNames() []string {
	out := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		out[i] = string(r)
	}
	return out
}

// servicesFor opens the stores and the vault and returns the services with
// the tenant of a slug; close releases them (the audit log's checkpoint).
func servicesFor(ctx context.Context, env *Env, cfg *config.Config, slug string) (*server.Services, *tenant.Tenant, func(), error) {
	log := newLogger(cfg, env.Stderr)
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	closeAll := func() { _ = stores.Close() }
	if err := stores.CheckSchema(ctx); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	t, err := store.NewTenants(stores.Catalog).BySlug(ctx, slug)
	if err != nil {
		closeAll()
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, nil, usagef("--tenant: no tenant %q (see 'salve tenant list')", slug)
		}
		return nil, nil, nil, err
	}
	if err := stores.OpenVault(ctx, cfg, env.Clock, log); err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	argon := env.Argon2
	if argon == (auth.Argon2Params{}) {
		argon = auth.DefaultArgon2()
	}
	svc, err := server.NewServices(cfg, stores, env.Clock, log, argon)
	if err != nil {
		closeAll()
		return nil, nil, nil, err
	}
	return svc, t, closeAll, nil
}

func createUser(ctx context.Context, env *Env, cfg *config.Config, slug string, role access.Role, email, name, password string) error {
	svc, t, done, err := servicesFor(ctx, env, cfg, slug)
	if err != nil {
		return err
	}
	defer done()
	uid, err := svc.Accounts.CreateUser(ctx, t.ID, role, email, name, password)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
			msg := e.Message
			for _, f := range e.Fields {
				msg += " " + f
			}
			return usagef("%s", msg)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "created %s account %s in tenant %s\n", role, uid, slug)
	if role.Staff() {
		fmt.Fprintln(env.Stdout, "at first sign-in they must set up an authenticator app")
	}
	return nil
}
