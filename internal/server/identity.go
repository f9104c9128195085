package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/oidc"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/vault"
)

// Identity is who people are (accounts), how they prove it (sign-in) and
// what they may reach of each other's data (grants), wired to each other and
// to the PHI store.
type Identity struct {
	Accounts *accounts.Service
	SignIn   *signin.Service
	Grants   *grants.Service
	// After does what the address-taking forms do after their answer
	// (jobs.After); shutdown waits for it.
	After *jobs.After
	// Hasher is the password hasher the services share.
	Hasher *auth.Hasher
}

// IdentityOptions tune the identity services; zero fields take the defaults.
type IdentityOptions struct {
	Clock  clock.Clock
	Log    *slog.Logger
	Argon2 auth.Argon2Params
	// Sessions are the session lifetimes (idle, absolute, freshness).
	Sessions auth.SessionPolicy
	// StaffInactivity disables staff accounts unused this long (default 90 days).
	StaffInactivity time.Duration
	// Burst is the tenant-wide failed sign-in alert rule.
	Burst auth.Burst
	// OIDC discovers single sign-on providers; nil is the OpenID Connect
	// client of internal/oidc.
	OIDC signin.OIDC
	// Links names a tenant's site and address for the emails grants send
	// (a proxy grant's notice); nil sends none.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// OrgOf tells a brand's organisation, for roles across brands and
	// sharing with a sister brand; nil: no brand has one.
	OrgOf grants.OrgOf
	// Limits are the brands' own session lengths (inherited settings); nil
	// reads none, so the server's apply.
	Limits signin.TenantLimits
}

// NewIdentity builds the identity services on the PHI store, the vault, the
// audit log and the email outbox.
func NewIdentity(phiDB *store.DB, v accounts.Vault, log audit.Appender, ob accounts.Outbox, o IdentityOptions) Identity {
	if o.Argon2 == (auth.Argon2Params{}) {
		o.Argon2 = auth.DefaultArgon2()
	}
	if o.OIDC == nil {
		o.OIDC = oidc.Client{}
	}
	// One hasher for both services: its bound on concurrent hashes is the
	// process's.
	hasher := auth.NewHasher(o.Argon2)
	users, sessions, tokens := store.NewUsers(phiDB), store.NewSessions(phiDB), store.NewTokens(phiDB)
	// Four at once: the work includes a password hash (registration), and
	// the hasher bounds those for the process anyway.
	after := jobs.NewAfter(o.Log, 4)
	// Registration claims the proxy invitations waiting for its address;
	// grants is built on accounts, so the hook reaches it through gr, set
	// below before any request runs.
	var gr *grants.Service
	registered := func(ctx context.Context, tenantID, userID string, emailBidx []byte) error {
		return gr.ClaimProxyInvites(ctx, tenantID, userID, emailBidx)
	}
	acc := accounts.New(accounts.Deps{Users: users, Tokens: tokens, Sessions: sessions, Vault: v, Audit: log, Outbox: ob,
		Hasher: hasher, Clock: o.Clock, StaffInactivity: o.StaffInactivity, After: after, Registered: registered})
	si := signin.New(signin.Deps{Users: users, Sessions: sessions, Throttles: store.NewThrottles(phiDB), Tokens: tokens,
		Passkeys: store.NewPasskeys(phiDB), SSO: store.NewSSO(phiDB), Accounts: acc, OIDC: o.OIDC, Vault: v, Audit: log,
		Hasher: hasher, Clock: o.Clock, Log: o.Log, Policy: o.Sessions, Limits: o.Limits, Burst: o.Burst, After: after})
	links := store.NewLinks(phiDB)
	gr = grants.New(grants.Deps{Store: links, Brands: links, OrgOf: o.OrgOf, Users: users, Accounts: acc, Vault: v, Audit: log, Clock: o.Clock,
		Policy: o.Sessions, Links: o.Links, Log: o.Log, After: after})
	// The vault opens a record a patient shared with a sister brand only
	// while the consent and the reader's care hold (issue 20 point 4).
	if sv, ok := v.(interface{ AllowShared(vault.SharedCheck) }); ok {
		sv.AllowShared(gr.SharedRead)
	}
	return Identity{Accounts: acc, SignIn: si, Grants: gr, After: after, Hasher: hasher}
}
