package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/signin"
)

func ssoCommand() command {
	c := command{name: "sso", usage: "sso set|disable --tenant SLUG [flags]",
		summary: "Configure a tenant's single sign-on (OpenID Connect) for staff."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(env.Stdout, `Usage: salve sso <action> [flags]

Configure a tenant's single sign-on for staff with an OpenID Connect provider
(authorization code flow with PKCE). Register Salve at the provider with the
redirect URL https://<tenant host>/login/sso/callback. Staff still pass
Salve's own second factor after signing in at the provider.

Actions:
  set       set the provider: --issuer, --client-id and --client-secret-file
  disable   turn single sign-on off

Run 'salve sso <action> -h' for an action's flags.
`)
			if len(args) == 0 {
				return usagef("sso needs an action")
			}
			return flag.ErrHelp
		}
		action := args[0]
		if action != "set" && action != "disable" {
			return usagef("unknown sso action %q; see 'salve sso -h'", action)
		}
		sub := command{name: "sso " + action, usage: "sso " + action + " --tenant SLUG [flags]", summary: c.summary}
		fs := flags(env, sub)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		slug := fs.String("tenant", "", "the tenant's slug (required)")
		reason := fs.String("reason", "set at the console with salve sso", "why, for the record of changes (salve changes list)")
		var issuer, clientID, secretFile, domains *string
		if action == "set" {
			issuer = fs.String("issuer", "", "the provider's issuer URL, https (required)")
			clientID = fs.String("client-id", "", "Salve's client id at the provider (required)")
			secretFile = fs.String("client-secret-file", "", "a file holding the client secret (required); stored sealed by the vault")
			domains = fs.String("allowed-domains", "", "comma-separated email domains allowed to sign in (default: any)")
		}
		if err := parse(env, fs, args[1:], 0); err != nil {
			return err
		}
		if *slug == "" {
			return usagef("--tenant is required")
		}
		var sso signin.SSO
		if action == "set" {
			if *issuer == "" || *clientID == "" || *secretFile == "" {
				return usagef("--issuer, --client-id and --client-secret-file are required")
			}
			b, err := env.ReadFile(*secretFile)
			if err != nil {
				return usagef("--client-secret-file: %v", err)
			}
			sso = signin.SSO{Issuer: *issuer, ClientID: *clientID, ClientSecret: strings.TrimSpace(string(b))}
			for d := range strings.SplitSeq(*domains, ",") {
				if d = strings.TrimSpace(strings.ToLower(d)); d != "" {
					sso.AllowedDomains = append(sso.AllowedDomains, d)
				}
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
		actx := access.WithActor(ctx, access.System("cli.sso", t.ID))
		// Single sign-on is a security setting: the change is recorded with
		// the operator at the console as requester and approver (the secret
		// masked), never applied unrecorded (internal/changes).
		after := map[string]string{"enabled": "no"}
		if action == "set" {
			after = map[string]string{"enabled": "yes", "issuer": sso.Issuer, "client_id": sso.ClientID, "client_secret": sso.ClientSecret,
				"allowed_domains": strings.Join(sso.AllowedDomains, ",")}
		}
		if _, err := svc.Changes.ApplyAsOperator(actx, t.ID, changes.KindSSO, t.ID, after, *reason); err != nil {
			if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
				return usagef("%s", e.Message)
			}
			return err
		}
		if action == "disable" {
			fmt.Fprintf(env.Stdout, "single sign-on is off for %s (recorded in salve changes list)\n", *slug)
			return nil
		}
		fmt.Fprintf(env.Stdout, "single sign-on is set for %s; staff sign in at /login/sso (recorded in salve changes list)\n", *slug)
		return nil
	}
	return c
}
