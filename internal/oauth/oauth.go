// Package oauth is the authorization server for the tenant's own mobile app
// (issue 18 point 4): OAuth 2.0 authorization code with PKCE (RFC 6749,
// RFC 7636, S256 only) for public clients, refresh tokens that rotate on
// every use with reuse detection (a refresh token presented twice revokes
// its whole family), and revocation (RFC 7009).
//
// A client is registered by an admin through the approvals path
// (internal/changes: an app that may ask patients for their data is an
// integration, a security setting). A patient approves an app on a consent
// page; the app trades the single-use code, within a minute, for an access
// token (an hour) and a refresh token (30 days). Access tokens carry the
// same scopes as personal access tokens and are admitted by the api route
// class (api.TokenGuard); every token is stored as a hash only. One
// approval is one grant: the patient sees it under connected apps and
// revokes it there, which stops every token of the grant at once.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apitokens"
)

// Lifetimes of what the server hands out.
const (
	// CodeTTL: a code is used by the app within a second of the redirect;
	// a minute tolerates a slow phone and no more.
	CodeTTL = time.Minute
	// AccessTTL is an access token's life; the app refreshes after it.
	AccessTTL = time.Hour
	// RefreshTTL is a refresh token's life from its issue; each use
	// rotates it, so an app used monthly stays connected.
	RefreshTTL = 30 * 24 * time.Hour
)

// Token prefixes: recognisable when leaked (secret scanners), and the
// token guard tells an app's access token from a personal token by it.
const (
	AccessPrefix  = "sat_"
	RefreshPrefix = "srt_"
	codePrefix    = "sac_"
)

// Client is an app registered by the tenant: a public client (a mobile app
// holds no secret), identified by ClientID, with the exact redirect URIs
// and the scopes it may ask for.
type Client struct {
	ID, TenantID, Name string
	RedirectURIs       []string
	Scopes             []apitokens.Scope
	CreatedAt          time.Time
	DisabledAt         time.Time
}

// Active reports whether the client may be used.
func (c Client) Active() bool { return c.DisabledAt.IsZero() }

// Allows reports whether uri is one of the client's redirect URIs. Why an
// exact string match and no prefix or pattern: a looser match is how
// authorization codes get sent to an attacker's page (RFC 6819 §5.2.3.5).
func (c Client) Allows(uri string) bool { return slices.Contains(c.RedirectURIs, uri) }

// Grant is a patient's approval of a client: a family of tokens.
type Grant struct {
	ID, TenantID, ClientID, UserID string
	ClientName                     string
	Scopes                         []apitokens.Scope
	CreatedAt, LastUsedAt          time.Time
	RevokedAt                      time.Time
}

// Code is an authorization code as the store keeps it (its hash).
type Code struct {
	Hash                       []byte
	TenantID, ClientID, UserID string
	GrantID                    string // the grant the code makes
	RedirectURI, Challenge     string
	Scopes                     []apitokens.Scope
	CreatedAt, ExpiresAt       time.Time
}

// TokenKind is an access or a refresh token.
type TokenKind string

// The kinds of token.
const (
	Access  TokenKind = "access"
	Refresh TokenKind = "refresh"
)

// Token is an issued token as the store keeps it (its hash), with its
// grant's state.
type Token struct {
	Hash                 []byte
	GrantID, TenantID    string
	Kind                 TokenKind
	CreatedAt, ExpiresAt time.Time
	UsedAt, RevokedAt    time.Time
	// The grant's fields, read with the token.
	ClientID, UserID string
	Scopes           []apitokens.Scope
	GrantRevoked     bool
	ClientDisabled   bool
	GrantLastUsed    time.Time
}

// Hash is what the store keeps of a code or token. Why plain SHA-256: the
// values are 256 random bits (nothing to gain from stretching), and the
// lookup runs on every API request.
func Hash(v string) []byte {
	h := sha256.Sum256([]byte("salve-oauth\x00" + v))
	return h[:]
}

func random(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewClientID returns a fresh client id.
func NewClientID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "app_" + base64.RawURLEncoding.EncodeToString(b)
}

// ValidPKCE reports whether v is a code verifier or challenge as RFC 7636
// §4.1 shapes them: 43 to 128 characters of [A-Za-z0-9-._~].
func ValidPKCE(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, c := range []byte(v) {
		if !unreserved(c) {
			return false
		}
	}
	return true
}

// unreserved reports whether c is an RFC 3986 unreserved character.
func unreserved(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return c == '-' || c == '.' || c == '_' || c == '~'
}

// VerifyS256 reports whether verifier matches an S256 challenge (RFC 7636
// §4.6), in constant time.
func VerifyS256(verifier, challenge string) bool {
	if !ValidPKCE(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}

// ParseScopes parses a space-separated scope parameter (RFC 6749 §3.3)
// into known scopes, in the fixed order, without repeats; ok is false when
// one is unknown.
func ParseScopes(s string) ([]apitokens.Scope, bool) {
	var out []apitokens.Scope
	for f := range strings.FieldsSeq(s) {
		sc := apitokens.Scope(f)
		if !slices.Contains(apitokens.Scopes, sc) {
			return nil, false
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b apitokens.Scope) int {
		return slices.Index(apitokens.Scopes, a) - slices.Index(apitokens.Scopes, b)
	})
	return out, true
}

// ScopeString is scopes as the scope parameter writes them.
func ScopeString(scopes []apitokens.Scope) string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return strings.Join(out, " ")
}

// Store keeps clients, codes, grants and tokens.
type Store interface {
	// PutClient inserts or replaces a client (the approvals path applies it).
	PutClient(ctx context.Context, c Client) error
	// Client returns a tenant's client, or NotFound.
	Client(ctx context.Context, tenantID, clientID string) (Client, error)
	// Clients returns a tenant's clients, newest first.
	Clients(ctx context.Context, tenantID string) ([]Client, error)
	// AddCode stores a code.
	AddCode(ctx context.Context, c Code) error
	// UseCode marks a code used and returns it; used is false when it had
	// been used already (the code is returned all the same), NotFound for
	// an unknown code.
	UseCode(ctx context.Context, hash []byte, now time.Time) (c Code, fresh bool, err error)
	// Issue stores a new grant (when g is not nil) and tokens, in one
	// transaction.
	Issue(ctx context.Context, g *Grant, tokens ...Token) error
	// Token returns a token with its grant's state, or NotFound.
	Token(ctx context.Context, hash []byte) (Token, error)
	// UseRefresh marks a refresh token used; false when it was already.
	UseRefresh(ctx context.Context, hash []byte, now time.Time) (bool, error)
	// RevokeToken revokes one token.
	RevokeToken(ctx context.Context, hash []byte, now time.Time) error
	// RevokeGrant revokes a grant (and so every token of it); NotFound
	// when the tenant (and user, unless empty) has no such grant.
	RevokeGrant(ctx context.Context, tenantID, userID, grantID string, now time.Time) error
	// Grants returns a user's active grants, newest first.
	Grants(ctx context.Context, tenantID, userID string) ([]Grant, error)
	// TouchGrant records a grant's use.
	TouchGrant(ctx context.Context, grantID string, now time.Time) error
}

// ChangeKind is the kind of change (internal/changes) that registers,
// edits or disables a client; its target is the client id. Why through
// the approvals path: a client may ask every patient for their data, so
// registering one is an integration, a security setting that one admin
// must not open alone.
const ChangeKind = "oauth.client"
