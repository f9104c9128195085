package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig is a tenant's single sign-on provider for staff.
type OIDCConfig struct {
	Issuer       string // e.g. https://login.example.com
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://shop.example.com/login/sso/callback
	// AllowedDomains, if set, restricts sign-in to these email domains.
	AllowedDomains []string
}

// OIDC runs the authorization code flow with PKCE against one provider.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// NewOIDC discovers the provider (its /.well-known/openid-configuration) and
// prepares the flow. now is the clock that checks token expiry.
func NewOIDC(ctx context.Context, cfg OIDCConfig, client *http.Client, now func() time.Time) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	pctx := oidc.ClientContext(ctx, client)
	p, err := oidc.NewProvider(pctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	return &OIDC{
		cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: now}),
		client:   client,
	}, nil
}

// OIDCStart is what must be kept between sending the user to the provider and
// the callback: server-side, never in the URL beyond State.
type OIDCStart struct {
	State    string // echoed by the provider; binds the callback to this start
	Nonce    string // inside the ID token; binds the token to this start
	Verifier string // PKCE: proves the code exchanger is who started the flow
}

// Start returns the provider URL to redirect to and what to keep for Finish.
func (o *OIDC) Start() (string, OIDCStart, error) {
	state, _, err := NewToken()
	if err != nil {
		return "", OIDCStart{}, err
	}
	nonce, _, err := NewToken()
	if err != nil {
		return "", OIDCStart{}, err
	}
	s := OIDCStart{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}
	u := o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(s.Verifier))
	return u, s, nil
}

// OIDCIdentity is who the provider says signed in.
type OIDCIdentity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
}

// ErrOIDC is returned for every failed callback; the detail is in the wrapped error.
var ErrOIDC = errors.New("single sign-on failed")

// Finish completes the flow: it checks the state, exchanges the code with the
// PKCE verifier, verifies the ID token (signature against the provider's keys,
// issuer, audience, expiry, nonce) and returns the identity. Only a verified,
// allowed email comes back.
func (o *OIDC) Finish(ctx context.Context, s OIDCStart, state, code string) (OIDCIdentity, error) {
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(s.State)) != 1 {
		return OIDCIdentity{}, fmt.Errorf("%w: state does not match", ErrOIDC)
	}
	if code == "" {
		return OIDCIdentity{}, fmt.Errorf("%w: no code", ErrOIDC)
	}
	cctx := oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(cctx, code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return OIDCIdentity{}, fmt.Errorf("%w: code exchange: %w", ErrOIDC, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return OIDCIdentity{}, fmt.Errorf("%w: no id_token", ErrOIDC)
	}
	idt, err := o.verifier.Verify(cctx, raw)
	if err != nil {
		return OIDCIdentity{}, fmt.Errorf("%w: id token: %w", ErrOIDC, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(s.Nonce)) != 1 {
		return OIDCIdentity{}, fmt.Errorf("%w: nonce does not match", ErrOIDC)
	}
	var c struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&c); err != nil {
		return OIDCIdentity{}, fmt.Errorf("%w: claims: %w", ErrOIDC, err)
	}
	id := OIDCIdentity{Issuer: idt.Issuer, Subject: idt.Subject, Email: strings.ToLower(c.Email), EmailVerified: c.EmailVerified, Name: c.Name}
	// An unverified email could be anyone's; it must not match a staff account.
	if id.Email == "" || !id.EmailVerified {
		return OIDCIdentity{}, fmt.Errorf("%w: the provider did not vouch for an email address", ErrOIDC)
	}
	if len(o.cfg.AllowedDomains) > 0 {
		_, domain, _ := strings.Cut(id.Email, "@")
		allowed := false
		for _, d := range o.cfg.AllowedDomains {
			if strings.EqualFold(d, domain) {
				allowed = true
			}
		}
		if !allowed {
			return OIDCIdentity{}, fmt.Errorf("%w: email domain not allowed", ErrOIDC)
		}
	}
	return id, nil
}
