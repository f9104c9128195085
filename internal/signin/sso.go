package signin

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// SSO is a tenant's single sign-on provider as an operator sets it.
type SSO struct {
	Issuer         string
	ClientID       string
	ClientSecret   string
	AllowedDomains []string
}

// SSOConfig is a tenant's provider as stored: the client secret is vault
// ciphertext.
type SSOConfig struct {
	TenantID       string
	Issuer         string
	ClientID       string
	ClientSecretCT []byte
	AllowedDomains []string
	UpdatedAt      time.Time
}

// SSOFlow is a sign-in under way at the provider, kept server-side until the
// callback: the state only as a hash.
type SSOFlow struct {
	StateHash, TenantID, Nonce, Verifier, Next string
	ExpiresAt                                  time.Time
}

// SSOStore keeps tenants' providers and the flows under way
// (internal/store.SSO).
type SSOStore interface {
	// Put stores (or replaces) a tenant's provider.
	Put(ctx context.Context, c SSOConfig) error
	// Delete turns a tenant's single sign-on off.
	Delete(ctx context.Context, tenantID string) error
	// Get returns a tenant's provider; NotFound when it has none.
	Get(ctx context.Context, tenantID string) (SSOConfig, error)
	// InsertFlow keeps a flow until the callback, and drops expired ones.
	InsertFlow(ctx context.Context, f SSOFlow, now time.Time) error
	// TakeFlow returns and deletes the live flow of a state hash in a tenant
	// (a callback works once); NotFound when there is none.
	TakeFlow(ctx context.Context, tenantID, stateHash string, now time.Time) (SSOFlow, error)
}

const ssoFlowTTL = 10 * time.Minute

// OIDCConfig is what discovering a tenant's provider needs.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.example.com
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://shop.example.com/login/sso/callback
	// AllowedDomains, if set, restricts sign-in to these email domains.
	AllowedDomains []string
}

// OIDCFlow is what must be kept between sending the browser to the provider
// and the callback: server-side, never in the URL beyond State.
type OIDCFlow struct {
	State    string // echoed by the provider; binds the callback to this start
	Nonce    string // inside the ID token; binds the token to this start
	Verifier string // PKCE: proves the code exchanger is who started the flow
}

// OIDCClaims is who the provider vouches signed in.
type OIDCClaims struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
}

// OIDCProvider is a discovered provider.
type OIDCProvider interface {
	// AuthURL returns the provider's URL to send the browser to, and what to
	// keep for Exchange.
	AuthURL() (string, OIDCFlow, error)
	// Exchange checks the callback's state against the flow, exchanges the
	// code and returns the verified claims: only a verified email that the
	// configuration allows. Every failure wraps a reason in its text
	// ("state does not match", "nonce does not match", ...).
	Exchange(ctx context.Context, f OIDCFlow, state, code string) (OIDCClaims, error)
}

// OIDC discovers providers (internal/oidc, the OpenID Connect client).
type OIDC interface {
	Discover(ctx context.Context, cfg OIDCConfig) (OIDCProvider, error)
}

// errNoOIDC is the failure of a service built without an OpenID Connect client.
var errNoOIDC = errors.New("signin: no OpenID Connect client")

// ErrSSO answers every failed single sign-on, whatever the reason (which is
// audited): the same words for all.
var ErrSSO = apperr.New(apperr.Invalid, "Single sign-on did not work. Try again, or sign in with your password.")

// ssoSubject is the vault subject that owns a tenant's own secrets.
func ssoSubject(tenantID string) string { return "tenant:" + tenantID }

// SetSSO stores a tenant's provider, its client secret sealed by the vault.
// The actor in ctx (an operator's command) is recorded.
func (s *Service) SetSSO(ctx context.Context, tenantID string, c SSO) error {
	ctx = tenant.WithScope(ctx, tenantID)
	u, err := url.Parse(c.Issuer)
	// Why https: the provider's answers sign people in; plain http only to a
	// provider on this machine (tests, a local development provider).
	secure := u != nil && (u.Scheme == "https" || (u.Scheme == "http" && isLoopbackHost(u.Hostname())))
	if err != nil || u.Host == "" || !secure {
		return apperr.InvalidFields("The issuer must be an https URL.", map[string]string{"issuer": "Use the provider's https issuer URL."})
	}
	if c.ClientID == "" {
		return apperr.InvalidFields("The client id and secret are required.", map[string]string{"client-id": "Required."})
	}
	now := s.clock.Now()
	var ct []byte
	if c.ClientSecret == "" {
		// No new secret: the one stored stays (a change approved on the
		// web, where secrets are never typed); none stored is an error.
		cur, err := s.sso.Get(ctx, tenantID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.InvalidFields("The client secret is required: set the first provider at the console (salve sso set).",
				map[string]string{"client-id": "Required."})
		}
		if err != nil {
			return err
		}
		ct = cur.ClientSecretCT
		if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "sso.configure", ResourceType: "sso", ResourceID: tenantID,
			Severity: audit.High, Purpose: access.PurposeOperations, Detail: "secret kept"}); err != nil {
			return err
		}
	} else {
		h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{ssoSubject(tenantID)}, Action: access.Write,
			Purpose: access.PurposeOperations, Resource: "sso", ResourceID: tenantID, AuditAction: "sso.configure"})
		if err != nil {
			return err
		}
		if ct, err = h.SealString(ssoSubject(tenantID), "sso_configs", "client_secret_ct", tenantID, c.ClientSecret); err != nil {
			return err
		}
	}
	s.ssoCache.Delete(tenantID)
	return s.sso.Put(ctx, SSOConfig{TenantID: tenantID, Issuer: strings.TrimSuffix(c.Issuer, "/"), ClientID: c.ClientID,
		ClientSecretCT: ct, AllowedDomains: c.AllowedDomains, UpdatedAt: now})
}

// DisableSSO turns a tenant's single sign-on off.
func (s *Service) DisableSSO(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "sso.disable", ResourceType: "sso", ResourceID: tenantID,
		Severity: audit.High, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	s.ssoCache.Delete(tenantID)
	return s.sso.Delete(ctx, tenantID)
}

// HasSSO reports whether a tenant offers single sign-on.
func (s *Service) HasSSO(ctx context.Context, tenantID string) bool {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.sso.Get(ctx, tenantID)
	return err == nil
}

// ssoClient is a discovered provider, cached per tenant.
type ssoClient struct {
	oidc    OIDCProvider
	updated time.Time
	loaded  time.Time
}

// provider returns the tenant's discovered provider. Discovery is cached for
// ten minutes and redone when the configuration changes.
func (s *Service) provider(ctx context.Context, t *tenant.Tenant, baseURL string) (OIDCProvider, error) {
	cfg, err := s.sso.Get(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	key := t.ID + "|" + baseURL
	if v, ok := s.ssoCache.Load(key); ok {
		c := v.(ssoClient)
		if c.updated.Equal(cfg.UpdatedAt) && time.Since(c.loaded) < 10*time.Minute {
			return c.oidc, nil
		}
	}
	if s.oidc == nil {
		return nil, errNoOIDC
	}
	ctx = systemCtx(ctx, t.ID, "sso")
	h, err := s.vault.Access(ctx, phi.Request{TenantID: t.ID, Subjects: []string{ssoSubject(t.ID)}, Action: access.Read,
		Purpose: access.PurposeOperations, Resource: "sso", ResourceID: t.ID, AuditAction: "sso.secret.read"})
	if err != nil {
		return nil, err
	}
	secret, err := h.OpenString(ssoSubject(t.ID), "sso_configs", "client_secret_ct", t.ID, cfg.ClientSecretCT)
	if err != nil {
		return nil, err
	}
	o, err := s.oidc.Discover(ctx, OIDCConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: secret.Reveal(),
		RedirectURL: strings.TrimSuffix(baseURL, "/") + "/login/sso/callback", AllowedDomains: cfg.AllowedDomains})
	if err != nil {
		return nil, err
	}
	s.ssoCache.Store(key, ssoClient{oidc: o, updated: cfg.UpdatedAt, loaded: time.Now()})
	return o, nil
}

// StartSSO begins a staff sign-in at the tenant's provider and returns the
// provider's URL to send the browser to. next is where to go afterwards: a
// local path the caller checked (web.SafeNext), which the callback's caller
// checks again.
func (s *Service) StartSSO(ctx context.Context, t *tenant.Tenant, baseURL, next string) (string, error) {
	o, err := s.provider(ctx, t, baseURL)
	if apperr.Is(err, apperr.NotFound) {
		return "", apperr.NotFoundError()
	}
	if err != nil {
		s.log.WarnContext(ctx, "single sign-on provider unavailable", "err", err)
		return "", apperr.Wrap(err, apperr.Unavailable, "Single sign-on is not available right now. Sign in with your password, or try later.")
	}
	u, start, err := o.AuthURL()
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	err = s.sso.InsertFlow(ctx, SSOFlow{StateHash: auth.HashToken(start.State), TenantID: t.ID, Nonce: start.Nonce,
		Verifier: start.Verifier, Next: next, ExpiresAt: now.Add(ssoFlowTTL)}, now)
	if err != nil {
		return "", err
	}
	return u, nil
}

// FinishSSO completes a sign-in at the provider's callback. The provider must
// vouch for an email address that belongs to an active staff account of the
// tenant; nothing is created. Single sign-on is the first factor only: staff
// still pass Salve's second factor (or enrol one) before any staff page.
func (s *Service) FinishSSO(ctx context.Context, t *tenant.Tenant, baseURL, state, code, device string) (string, Session, string, error) {
	ctx = systemCtx(ctx, t.ID, "sso")
	if !auth.ValidToken(state) {
		return "", Session{}, "", s.refuse(ctx, t.ID, nil, "sso: malformed state", ErrSSO)
	}
	flow, err := s.sso.TakeFlow(ctx, t.ID, auth.HashToken(state), s.clock.Now())
	if err != nil {
		return "", Session{}, "", s.refuse(ctx, t.ID, nil, "sso: unknown or expired state", ErrSSO)
	}
	o, err := s.provider(ctx, t, baseURL)
	if err != nil {
		return "", Session{}, "", s.refuse(ctx, t.ID, nil, "sso: provider unavailable", ErrSSO)
	}
	who, err := o.Exchange(ctx, OIDCFlow{State: state, Nonce: flow.Nonce, Verifier: flow.Verifier}, state, code)
	if err != nil {
		// Only the kind of failure: the provider's error text is not ours to log.
		s.log.InfoContext(ctx, "single sign-on refused", "reason", ssoReason(err))
		return "", Session{}, "", s.refuse(ctx, t.ID, nil, "sso: "+ssoReason(err), ErrSSO)
	}
	u, err := s.users.ByEmail(ctx, t.ID, s.emailIndex(t.ID, who.Email))
	if err != nil || !u.Role.Staff() || u.Status != accounts.StatusActive {
		return "", Session{}, "", s.refuse(ctx, t.ID, nil, "sso: no active staff account for the address", ErrSSO)
	}
	if err := s.event(ctx, audit.Entry{ActorID: u.ID, ActorRole: u.Role, TenantID: t.ID, Subjects: []string{u.ID},
		Action: "user.login", ResourceID: u.ID, Detail: "sso"}); err != nil {
		return "", Session{}, "", err
	}
	if err := s.users.SetLastLogin(ctx, t.ID, u.ID, s.clock.Now()); err != nil {
		return "", Session{}, "", err
	}
	tok, sess, err := s.startSession(ctx, u, device, false)
	return tok, sess, flow.Next, err
}

// ssoReason names why a callback failed, without anything the provider sent.
func ssoReason(err error) string {
	msg := err.Error()
	for _, r := range []string{"state does not match", "no code", "code exchange", "no id_token", "id token", "nonce does not match",
		"did not vouch", "domain not allowed"} {
		if strings.Contains(msg, r) {
			return r
		}
	}
	return "failed"
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}
