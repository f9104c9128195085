package oauth

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Error is an OAuth error: Code is the RFC 6749 error code
// ("invalid_request", "invalid_grant", ...), Description is safe to show
// to the app. On the authorization endpoint, RedirectURI says where the
// error may be sent (empty: never redirected, shown as a page: an unknown
// client or redirect URI, RFC 6749 §4.1.2.1).
type Error struct {
	Code, Description string
	RedirectURI       string
	State             string
	// Status is the HTTP status on the token endpoint (400, or 401 for
	// invalid_client).
	Status int
}

func (e *Error) Error() string { return e.Code + ": " + e.Description }

func tokenErr(code, desc string) *Error { return &Error{Code: code, Description: desc, Status: 400} }

// Users finds the patient behind a grant.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
}

// Service is the authorization server.
type Service struct {
	store Store
	clock clock.Clock
	audit audit.Appender
	users Users
}

// New returns the authorization server; approvals and revocations are
// recorded in a.
func New(s Store, c clock.Clock, a audit.Appender, users Users) *Service {
	return &Service{store: s, clock: c, audit: a, users: users}
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.clock.Now().UTC() }

// Limits on a client's registration.
const (
	MaxClientName   = 60
	MaxRedirectURIs = 10
)

// CheckClient refuses a registration that could not work or would be
// unsafe; fields name the form's fields (name, redirect_uris, scopes).
func CheckClient(name string, redirects []string, scopes []string) (Client, error) {
	fields := map[string]string{}
	c := Client{Name: strings.TrimSpace(name)}
	if c.Name == "" || utf8.RuneCountInString(c.Name) > MaxClientName {
		fields["name"] = "Name the app (up to 60 characters), as patients know it: it is shown when they approve it."
	}
	for _, u := range redirects {
		if u = strings.TrimSpace(u); u == "" {
			continue
		}
		if msg := checkRedirect(u); msg != "" {
			fields["redirect_uris"] = msg
			break
		}
		if !slices.Contains(c.RedirectURIs, u) {
			c.RedirectURIs = append(c.RedirectURIs, u)
		}
	}
	if fields["redirect_uris"] == "" && (len(c.RedirectURIs) == 0 || len(c.RedirectURIs) > MaxRedirectURIs) {
		fields["redirect_uris"] = "Give 1 to 10 redirect URIs, one a line, such as com.example.app:/oauth or https://app.example.com/oauth."
	}
	for _, v := range scopes {
		sc := apitokens.Scope(v)
		if !slices.Contains(apitokens.Scopes, sc) {
			fields["scopes"] = "Choose from the listed permissions."
			break
		}
		if !slices.Contains(c.Scopes, sc) {
			c.Scopes = append(c.Scopes, sc)
		}
	}
	if len(c.Scopes) == 0 && fields["scopes"] == "" {
		fields["scopes"] = "Choose at least one thing the app may ask for."
	}
	if len(fields) > 0 {
		return Client{}, apperr.InvalidFields("The app was not registered: see the fields below.", fields)
	}
	c.Scopes, _ = ParseScopes(ScopeString(c.Scopes))
	return c, nil
}

// checkRedirect says what is wrong with a redirect URI ("" if nothing).
// Allowed, after RFC 8252 for native apps: https, a private-use scheme in
// reverse domain form (com.example.app:/cb), and http only on a loopback
// address. Why no plain http elsewhere: the code would cross the network in
// the clear. No fragment (RFC 6749 §3.1.2).
func checkRedirect(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Fragment != "" || strings.ContainsAny(u, " \t\r\n#") {
		return "Each redirect URI must be an absolute URI without a fragment: " + u
	}
	switch scheme := strings.ToLower(p.Scheme); {
	case scheme == "https":
		if p.Host == "" {
			return "An https redirect URI needs a host: " + u
		}
	case scheme == "http":
		if h := p.Hostname(); h != "127.0.0.1" && h != "::1" {
			return "http is allowed only on a loopback address (127.0.0.1 or [::1]); use https or the app's own scheme: " + u
		}
	case strings.Contains(scheme, "."):
		// a private-use scheme such as com.example.app (RFC 8252 §7.1)
	default:
		return "Use https, a loopback http address, or the app's own scheme in reverse domain form (com.example.app:/oauth): " + u
	}
	return ""
}

// RegisterClient stores a client (called when an approved change applies).
func (s *Service) RegisterClient(ctx context.Context, c Client) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	return s.store.PutClient(ctx, c)
}

// Client returns a tenant's client, or NotFound.
func (s *Service) Client(ctx context.Context, tenantID, clientID string) (Client, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Client(ctx, tenantID, clientID)
}

// Clients returns a tenant's clients.
func (s *Service) Clients(ctx context.Context, tenantID string) ([]Client, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Clients(ctx, tenantID)
}

// AuthRequest is the authorization request's parameters (RFC 6749 §4.1.1,
// RFC 7636 §4.3).
type AuthRequest struct {
	ResponseType, ClientID, RedirectURI, Scope, State string
	Challenge, Method                                 string
}

// Prepared is a valid authorization request, ready for the patient's
// decision.
type Prepared struct {
	Client      Client
	RedirectURI string
	Scopes      []apitokens.Scope
	State       string
	Challenge   string
}

// Prepare checks an authorization request. An unknown or disabled client
// (or another tenant's) and a redirect URI that is missing or not
// registered give an *Error without RedirectURI: the caller shows it and
// must not redirect (RFC 6749 §4.1.2.1; a redirect there would make the
// server an open redirector). Every other problem gives an *Error with the
// RedirectURI to send it to.
func (s *Service) Prepare(ctx context.Context, tenantID string, req AuthRequest) (Prepared, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := s.store.Client(ctx, tenantID, req.ClientID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !c.Active()) {
		return Prepared{}, &Error{Code: "invalid_client", Description: "This app is not registered with this shop."}
	}
	if err != nil {
		return Prepared{}, err
	}
	// Why required, though RFC 6749 lets a sole registered URI be implied:
	// the token request must repeat it, and OAuth 2.1 requires it; one rule
	// is simpler to check than two.
	if req.RedirectURI == "" || !c.Allows(req.RedirectURI) {
		return Prepared{}, &Error{Code: "invalid_request", Description: "The app asked to return to an address it has not registered."}
	}
	back := func(code, desc string) (Prepared, error) {
		return Prepared{}, &Error{Code: code, Description: desc, RedirectURI: req.RedirectURI, State: req.State}
	}
	if req.ResponseType != "code" {
		return back("unsupported_response_type", "Only response_type=code is supported.")
	}
	if req.Challenge == "" {
		return back("invalid_request", "code_challenge is required (PKCE, RFC 7636).")
	}
	// Why S256 only: with plain the challenge is the verifier, so anyone
	// who sees the authorization request can redeem the code.
	if req.Method != "S256" {
		return back("invalid_request", "transform algorithm not supported: use code_challenge_method=S256.")
	}
	if !ValidPKCE(req.Challenge) || len(req.Challenge) != 43 {
		return back("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier (43 characters).")
	}
	if len(req.State) > 500 {
		return back("invalid_request", "state is too long (at most 500 characters).")
	}
	scopes := c.Scopes
	if strings.TrimSpace(req.Scope) != "" {
		var ok bool
		scopes, ok = ParseScopes(req.Scope)
		if !ok || len(scopes) == 0 {
			return back("invalid_scope", "Unknown scope.")
		}
		for _, sc := range scopes {
			if !slices.Contains(c.Scopes, sc) {
				return back("invalid_scope", "The app is not registered for the scope "+string(sc)+".")
			}
		}
	}
	return Prepared{Client: c, RedirectURI: req.RedirectURI, Scopes: scopes, State: req.State, Challenge: req.Challenge}, nil
}

// Approve records the patient's consent and returns a single-use code
// bound to the client, redirect URI, challenge, patient and tenant. Why
// fail closed: an app's access to patient data the audit log does not know
// of must not exist, so no code is made when the record cannot be written.
func (s *Service) Approve(ctx context.Context, tenantID, userID string, p Prepared) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.Now()
	code := random(codePrefix)
	c := Code{Hash: Hash(code), TenantID: tenantID, ClientID: p.Client.ID, UserID: userID, GrantID: id.New(),
		RedirectURI: p.RedirectURI, Challenge: p.Challenge, Scopes: p.Scopes, CreatedAt: now, ExpiresAt: now.Add(CodeTTL)}
	if err := s.event(ctx, tenantID, userID, "oauth.approve", c.GrantID, "client="+p.Client.ID+" scopes="+strings.ReplaceAll(ScopeString(p.Scopes), " ", ",")); err != nil {
		return "", err
	}
	if err := s.store.AddCode(ctx, c); err != nil {
		return "", err
	}
	return code, nil
}

// event records an approval, a revocation or a detected reuse. The actor
// is the patient whose grant it is, named in subjects as well.
func (s *Service) event(ctx context.Context, tenantID, userID, action, grantID, detail string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, ok := access.ActorFrom(ctx); !ok {
		ctx = access.WithActor(ctx, access.Actor{ID: userID, Role: access.RolePatient, TenantID: tenantID})
	}
	if err := s.audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{userID}, Action: action, ResourceType: "oauth_grant",
		ResourceID: grantID, Purpose: access.PurposeSelf, Severity: audit.High, Detail: detail}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// TokenRequest is the token endpoint's parameters (RFC 6749 §4.1.3, §6;
// RFC 7636 §4.5).
type TokenRequest struct {
	GrantType, ClientID         string
	Code, RedirectURI, Verifier string
	RefreshToken, Scope         string
}

// Issued is the token endpoint's answer (RFC 6749 §5.1).
type Issued struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// Token answers a token request: an authorization_code or refresh_token
// grant. Errors the app should see are *Error.
func (s *Service) Token(ctx context.Context, tenantID string, req TokenRequest) (*Issued, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if req.ClientID == "" {
		return nil, &Error{Code: "invalid_client", Description: "client_id is required.", Status: 401}
	}
	c, err := s.store.Client(ctx, tenantID, req.ClientID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !c.Active()) {
		return nil, &Error{Code: "invalid_client", Description: "This app is not registered with this shop.", Status: 401}
	}
	if err != nil {
		return nil, err
	}
	switch req.GrantType {
	case "authorization_code":
		return s.exchange(ctx, c, req)
	case "refresh_token":
		return s.refresh(ctx, c, req)
	case "":
		return nil, tokenErr("invalid_request", "grant_type is required.")
	}
	return nil, tokenErr("unsupported_grant_type", "Use authorization_code or refresh_token.")
}

func (s *Service) exchange(ctx context.Context, c Client, req TokenRequest) (*Issued, error) {
	bad := tokenErr("invalid_grant", "The code is unknown, expired, already used, or was issued for another app, address or verifier.")
	if req.Code == "" || req.Verifier == "" {
		return nil, tokenErr("invalid_request", "code and code_verifier are required.")
	}
	now := s.Now()
	code, fresh, err := s.store.UseCode(ctx, Hash(req.Code), now)
	if apperr.Is(err, apperr.NotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if code.TenantID != c.TenantID || code.ClientID != c.ID {
		return nil, bad
	}
	// Why a reused code revokes what it made (RFC 6749 §4.1.2): the second
	// use means the code leaked, so the tokens from the first may be in the
	// wrong hands too.
	if !fresh {
		if err := s.store.RevokeGrant(ctx, code.TenantID, "", code.GrantID, now); err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if err := s.event(ctx, code.TenantID, code.UserID, "oauth.code_reuse", code.GrantID, "client="+c.ID); err != nil {
			return nil, err
		}
		return nil, bad
	}
	if !now.Before(code.ExpiresAt) || req.RedirectURI != code.RedirectURI || !VerifyS256(req.Verifier, code.Challenge) {
		return nil, bad
	}
	if err := s.patientActive(ctx, code.TenantID, code.UserID); err != nil {
		return nil, bad
	}
	g := Grant{ID: code.GrantID, TenantID: code.TenantID, ClientID: c.ID, UserID: code.UserID, Scopes: code.Scopes, CreatedAt: now}
	return s.issue(ctx, &g, g, now)
}

func (s *Service) refresh(ctx context.Context, c Client, req TokenRequest) (*Issued, error) {
	bad := tokenErr("invalid_grant", "The refresh token is unknown, expired, revoked or already used.")
	if req.RefreshToken == "" {
		return nil, tokenErr("invalid_request", "refresh_token is required.")
	}
	now := s.Now()
	t, err := s.store.Token(ctx, Hash(req.RefreshToken))
	if apperr.Is(err, apperr.NotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if t.Kind != Refresh || t.TenantID != c.TenantID || t.ClientID != c.ID {
		return nil, bad
	}
	if t.GrantRevoked || !t.RevokedAt.IsZero() {
		return nil, bad
	}
	fresh := t.UsedAt.IsZero()
	if fresh {
		if fresh, err = s.store.UseRefresh(ctx, t.Hash, now); err != nil {
			return nil, err
		}
	}
	// Why a reused refresh token revokes its family (OAuth 2.0 Security
	// BCP §4.14.2): a rotated token comes back only when someone kept a
	// copy; the server cannot tell the app from the thief, so both lose
	// the grant and the patient approves the app again.
	if !fresh {
		if err := s.store.RevokeGrant(ctx, t.TenantID, "", t.GrantID, now); err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if err := s.event(ctx, t.TenantID, t.UserID, "oauth.refresh_reuse", t.GrantID, "client="+c.ID); err != nil {
			return nil, err
		}
		return nil, bad
	}
	if !now.Before(t.ExpiresAt) {
		return nil, bad
	}
	scopes := t.Scopes
	if strings.TrimSpace(req.Scope) != "" {
		narrow, ok := ParseScopes(req.Scope)
		if !ok || len(narrow) == 0 {
			return nil, tokenErr("invalid_scope", "Unknown scope.")
		}
		for _, sc := range narrow {
			if !slices.Contains(t.Scopes, sc) {
				return nil, tokenErr("invalid_scope", "A refresh cannot widen the scopes the patient approved.")
			}
		}
		scopes = narrow
	}
	if err := s.patientActive(ctx, t.TenantID, t.UserID); err != nil {
		return nil, bad
	}
	return s.issue(ctx, nil, Grant{ID: t.GrantID, TenantID: t.TenantID, Scopes: scopes}, now)
}

// issue stores (a new grant and) a fresh access and refresh token.
func (s *Service) issue(ctx context.Context, newGrant *Grant, g Grant, now time.Time) (*Issued, error) {
	access, refresh := random(AccessPrefix), random(RefreshPrefix)
	err := s.store.Issue(ctx, newGrant,
		Token{Hash: Hash(access), GrantID: g.ID, TenantID: g.TenantID, Kind: Access, CreatedAt: now, ExpiresAt: now.Add(AccessTTL), Scopes: g.Scopes},
		Token{Hash: Hash(refresh), GrantID: g.ID, TenantID: g.TenantID, Kind: Refresh, CreatedAt: now, ExpiresAt: now.Add(RefreshTTL), Scopes: g.Scopes})
	if err != nil {
		return nil, err
	}
	return &Issued{AccessToken: access, TokenType: "Bearer", ExpiresIn: int(AccessTTL / time.Second), RefreshToken: refresh,
		Scope: ScopeString(g.Scopes)}, nil
}

// patientActive refuses a grant whose patient is no longer an active
// patient (a disabled account's apps stop with its sessions).
func (s *Service) patientActive(ctx context.Context, tenantID, userID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if u.Status != accounts.StatusActive || u.Role != access.RolePatient {
		return apperr.NotFoundError()
	}
	return nil
}

// Revoke is the revocation endpoint (RFC 7009): a refresh token revokes
// its grant (every token of it), an access token itself. An unknown token,
// or one of another client, changes nothing and is not an error (§2.2: the
// app cannot learn whether a token exists).
func (s *Service) Revoke(ctx context.Context, tenantID, clientID, token string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if clientID == "" {
		return &Error{Code: "invalid_client", Description: "client_id is required.", Status: 401}
	}
	if token == "" {
		return tokenErr("invalid_request", "token is required.")
	}
	t, err := s.store.Token(ctx, Hash(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.TenantID != tenantID || t.ClientID != clientID {
		return nil
	}
	now := s.Now()
	if t.Kind == Access {
		return s.store.RevokeToken(ctx, t.Hash, now)
	}
	if err := s.store.RevokeGrant(ctx, tenantID, "", t.GrantID, now); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return s.event(ctx, tenantID, t.UserID, "oauth.revoke", t.GrantID, "by=app client="+clientID)
}

// Authenticate returns an active access token of the tenant as an API
// token record (kind app, acting as its patient), or NotFound for one that
// is unknown, of another tenant, expired or revoked, whose grant is revoked
// or whose client is disabled. Why no cache: a revocation must stop the
// very next request.
func (s *Service) Authenticate(ctx context.Context, tenantID, token string) (apitokens.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !strings.HasPrefix(token, AccessPrefix) || len(token) > 128 {
		return apitokens.Record{}, apperr.NotFoundError()
	}
	t, err := s.store.Token(ctx, Hash(token))
	if err != nil {
		return apitokens.Record{}, err
	}
	now := s.Now()
	if t.Kind != Access || t.TenantID != tenantID || !t.RevokedAt.IsZero() || t.GrantRevoked || t.ClientDisabled || !now.Before(t.ExpiresAt) {
		return apitokens.Record{}, apperr.NotFoundError()
	}
	if err := s.patientActive(ctx, tenantID, t.UserID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apitokens.Record{}, apperr.NotFoundError()
		}
		return apitokens.Record{}, err
	}
	// Why at most once a minute: the page shows it to the minute, and a
	// write per request would serialise a busy app on SQLite's one writer.
	if t.GrantLastUsed.IsZero() || now.Sub(t.GrantLastUsed) >= time.Minute {
		if err := s.store.TouchGrant(ctx, t.GrantID, now); err != nil {
			return apitokens.Record{}, err
		}
	}
	return apitokens.Record{ID: t.GrantID, TenantID: t.TenantID, OwnerID: t.UserID, Kind: apitokens.KindApp, Role: access.RolePatient,
		Scopes: t.Scopes, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}, nil
}

// Grants returns a patient's connected apps.
func (s *Service) Grants(ctx context.Context, tenantID, userID string) ([]Grant, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Grants(ctx, tenantID, userID)
}

// RevokeGrant disconnects an app of the patient: every token of the grant
// is refused from its next request. Another patient's grant is NotFound.
func (s *Service) RevokeGrant(ctx context.Context, tenantID, userID, grantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	// Why revoke first and record after: stopping access must not wait on
	// the audit log; a failed record is still reported.
	if err := s.store.RevokeGrant(ctx, tenantID, userID, grantID, s.Now()); err != nil {
		return err
	}
	return s.event(ctx, tenantID, userID, "oauth.revoke", grantID, "by=patient")
}

// AsError returns err as an *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
