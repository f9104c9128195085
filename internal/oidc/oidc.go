// Package oidc is the OpenID Connect client of staff single sign-on, an adapter
// to the outside world: provider discovery, the authorization code flow with
// PKCE, and ID token verification by coreos/go-oidc (signature against the
// provider's keys, issuer, audience, expiry, nonce). It implements the
// interface sign-in declares for it; server wires it.
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/signin"
)

// Client discovers providers. The zero Client is ready: it talks to providers
// with a 15-second timeout and judges ID token expiry by the wall clock.
type Client struct {
	// HTTP talks to the providers; nil is a client with a 15-second timeout.
	HTTP *http.Client
	// Now checks ID token expiry; nil is time.Now. Why the wall clock: it is
	// the provider's clock that set the expiry, not Salve's.
	Now func() time.Time
}

var _ signin.OIDC = Client{}

// Discover discovers a provider (its /.well-known/openid-configuration) and
// prepares the flow.
func (c Client) Discover(ctx context.Context, cfg signin.OIDCConfig) (signin.OIDCProvider, error) {
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return NewProvider(ctx, cfg, c.HTTP, now)
}

// Provider runs the authorization code flow with PKCE against one provider.
type Provider struct {
	cfg      signin.OIDCConfig
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	client   *http.Client
}

// NewProvider discovers the provider (its /.well-known/openid-configuration)
// and prepares the flow. now is the clock that checks token expiry.
func NewProvider(ctx context.Context, cfg signin.OIDCConfig, client *http.Client, now func() time.Time) (*Provider, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: issuer, client id and redirect URL are required")
	}
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	pctx := gooidc.ClientContext(ctx, client)
	p, err := gooidc.NewProvider(pctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery: %w", err)
	}
	return &Provider{
		cfg: cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{gooidc.ScopeOpenID, "email", "profile"}},
		verifier: p.Verifier(&gooidc.Config{ClientID: cfg.ClientID, Now: now}),
		client:   client,
	}, nil
}

// AuthURL returns the provider URL to redirect to and what to keep for
// Exchange: State, Nonce and Verifier stay server-side, never in the URL
// beyond State.
func (p *Provider) AuthURL() (string, signin.OIDCFlow, error) {
	state, _, err := auth.NewToken()
	if err != nil {
		return "", signin.OIDCFlow{}, err
	}
	nonce, _, err := auth.NewToken()
	if err != nil {
		return "", signin.OIDCFlow{}, err
	}
	s := signin.OIDCFlow{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}
	u := p.oauth.AuthCodeURL(state, gooidc.Nonce(nonce), oauth2.S256ChallengeOption(s.Verifier))
	return u, s, nil
}

// ErrFailed is returned for every failed callback; the detail is in the
// wrapped error.
var ErrFailed = errors.New("single sign-on failed")

// Exchange completes the flow: it checks the state, exchanges the code with
// the PKCE verifier, verifies the ID token (signature against the provider's
// keys, issuer, audience, expiry, nonce) and returns who signed in. Only a
// verified, allowed email comes back.
func (p *Provider) Exchange(ctx context.Context, s signin.OIDCFlow, state, code string) (signin.OIDCClaims, error) {
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(s.State)) != 1 {
		return signin.OIDCClaims{}, fmt.Errorf("%w: state does not match", ErrFailed)
	}
	if code == "" {
		return signin.OIDCClaims{}, fmt.Errorf("%w: no code", ErrFailed)
	}
	cctx := gooidc.ClientContext(ctx, p.client)
	tok, err := p.oauth.Exchange(cctx, code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return signin.OIDCClaims{}, fmt.Errorf("%w: code exchange: %w", ErrFailed, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return signin.OIDCClaims{}, fmt.Errorf("%w: no id_token", ErrFailed)
	}
	idt, err := p.verifier.Verify(cctx, raw)
	if err != nil {
		return signin.OIDCClaims{}, fmt.Errorf("%w: id token: %w", ErrFailed, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(s.Nonce)) != 1 {
		return signin.OIDCClaims{}, fmt.Errorf("%w: nonce does not match", ErrFailed)
	}
	var c struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := idt.Claims(&c); err != nil {
		return signin.OIDCClaims{}, fmt.Errorf("%w: claims: %w", ErrFailed, err)
	}
	id := signin.OIDCClaims{Issuer: idt.Issuer, Subject: idt.Subject, Email: strings.ToLower(c.Email), EmailVerified: c.EmailVerified, Name: c.Name}
	// An unverified email could be anyone's; it must not match a staff account.
	if id.Email == "" || !id.EmailVerified {
		return signin.OIDCClaims{}, fmt.Errorf("%w: the provider did not vouch for an email address", ErrFailed)
	}
	if len(p.cfg.AllowedDomains) > 0 {
		_, domain, _ := strings.Cut(id.Email, "@")
		allowed := false
		for _, d := range p.cfg.AllowedDomains {
			if strings.EqualFold(d, domain) {
				allowed = true
			}
		}
		if !allowed {
			return signin.OIDCClaims{}, fmt.Errorf("%w: email domain not allowed", ErrFailed)
		}
	}
	return id, nil
}
