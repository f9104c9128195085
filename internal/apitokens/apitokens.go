// Package apitokens keeps the tokens that programs use on /api/v1 (issue 18
// point 4): a patient's personal access tokens, which read that patient's
// own data, and service tokens for staff integrations, made by an admin
// with a staff role. A token is shown once when it is made; the store keeps
// only its hash. Each token carries scopes from a fixed list; the api
// route class admits a token only on routes in its scopes (see
// api.TokenGuard). A token is looked up on every request, so a revoked or
// expired token is refused on its very next request.
package apitokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Prefix starts every API token, so that a leaked one is recognisable (and
// secret scanners can find it); device tokens start with sdt_.
const Prefix = "spt_"

// Kind is who a token acts for.
type Kind string

const (
	// KindPersonal tokens belong to a patient and act as that patient.
	KindPersonal Kind = "personal"
	// KindService tokens belong to the tenant, made by an admin, and act with a
	// staff role.
	KindService Kind = "service"
	// KindApp is an access token an app of the tenant got through OAuth
	// (internal/oauth): it acts as the patient who approved the app, like a
	// personal token. Such tokens are not kept in this store.
	KindApp Kind = "app"
)

// Scope is one thing a token may do.
type Scope string

// The scopes. Why a fixed list: a scope is checked against the route's
// declared scope, so an unknown one could only ever grant nothing.
const (
	OrdersRead  Scope = "orders:read"
	ListsRead   Scope = "lists:read"
	ResultsRead Scope = "results:read"
)

// Scopes lists every scope in the order the forms show them.
var Scopes = []Scope{OrdersRead, ListsRead, ResultsRead}

// Label is a scope in words.
func (s Scope) Label() string {
	switch s {
	case OrdersRead:
		return "Read your orders"
	case ListsRead:
		return "Read your shopping lists"
	case ResultsRead:
		return "Read your lab results"
	}
	return string(s)
}

// Limits on what a token may be.
const (
	MinDays  = 1
	MaxDays  = 365
	MaxName  = 60
	MaxOwned = 20 // active tokens per owner
)

// Record is a token as the store keeps it.
type Record struct {
	ID, TenantID, OwnerID, Name string
	Kind                        Kind
	Role                        access.Role
	Scopes                      []Scope
	TokenHash                   []byte
	CreatedAt, ExpiresAt        time.Time
	LastUsedAt, RevokedAt       time.Time
}

// Active reports whether the token works at now.
func (r Record) Active(now time.Time) bool { return r.RevokedAt.IsZero() && now.Before(r.ExpiresAt) }

// Status is the token's state in words.
func (r Record) Status(now time.Time) string {
	switch {
	case !r.RevokedAt.IsZero():
		return "Revoked"
	case !now.Before(r.ExpiresAt):
		return "Expired"
	}
	return "Active"
}

// Has reports whether the token carries scope s.
func (r Record) Has(s Scope) bool { return slices.Contains(r.Scopes, s) }

// Store keeps tokens.
type Store interface {
	// Insert stores a token, refusing past limit active tokens of the owner
	// of that kind.
	Insert(ctx context.Context, r Record, limit int, now time.Time) error
	// ByHash returns the token of a hash (revoked or not), or NotFound.
	ByHash(ctx context.Context, hash []byte) (Record, error)
	// Owned returns the tokens of a kind and, unless owner is empty, an owner, newest first.
	Owned(ctx context.Context, tenantID string, kind Kind, ownerID string) ([]Record, error)
	// Revoke sets revoked_at on a token of a kind and (unless owner is
	// empty) owner; NotFound when there is none.
	Revoke(ctx context.Context, tenantID string, kind Kind, ownerID, tokenID string, now time.Time) error
	// Touch records a use.
	Touch(ctx context.Context, tokenID string, now time.Time) error
}

// Service makes, lists, revokes and authenticates tokens.
type Service struct {
	store Store
	clock clock.Clock
	audit audit.Appender
	users Users
}

// Users finds the person behind a token.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
}

// New returns the token service; making and revoking a token is recorded
// in the audit log a.
// users finds the person behind a token on every use.
func New(s Store, c clock.Clock, a audit.Appender, users Users) *Service {
	return &Service{store: s, clock: c, audit: a, users: users}
}

// event records a token's creation or revocation (the actor comes from
// ctx). Why fail closed: a credential to patient data that the audit log
// does not know of must not exist, so a token is not made when the record
// cannot be written.
func (s *Service) event(ctx context.Context, tenantID, action, tokenID, detail string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose := access.PurposeSelf
	if a, _ := access.ActorFrom(ctx); a.Role.Staff() {
		purpose = access.PurposeOperations // an admin's service token
	}
	if err := s.audit.Append(ctx, audit.Entry{TenantID: tenantID, Action: action, ResourceType: "api_token", ResourceID: tokenID,
		Purpose: purpose, Severity: audit.High, Detail: detail}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// Request is what a token is made with.
type Request struct {
	Name   string
	Scopes []string
	Days   string
	// Role is the role of a service token (a staff role); ignored for a
	// personal token, which is always the patient's.
	Role access.Role
}

// Created is a token just made: its record and the token itself, shown once.
type Created struct {
	Record
	Token string
}

// Create makes a token for owner. A personal token's owner is the patient
// it acts as; a service token's owner is the admin who made it.
func (s *Service) Create(ctx context.Context, tenantID string, kind Kind, ownerID string, req Request) (*Created, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		fields["name"] = "Give the token a name, such as the app that will use it."
	} else if utf8.RuneCountInString(name) > MaxName {
		fields["name"] = "Use at most " + strconv.Itoa(MaxName) + " characters."
	}
	var scopes []Scope
	for _, v := range req.Scopes {
		sc := Scope(v)
		if !slices.Contains(Scopes, sc) {
			fields["scopes"] = "Choose from the listed permissions."
			break
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 && fields["scopes"] == "" {
		fields["scopes"] = "Choose at least one thing the token may read."
	}
	days, err := strconv.Atoi(strings.TrimSpace(req.Days))
	if err != nil || days < MinDays || days > MaxDays {
		fields["days"] = "Enter a number of days from 1 to 365."
	}
	role := access.RolePatient
	if kind == KindService {
		role = req.Role
		// Why staff roles only, and not admin: a service token must not be
		// able to administer the tenant (make users, more tokens), and a
		// patient role would have no patient to act as.
		if !role.Staff() || role == access.RoleAdmin {
			fields["role"] = "Choose a staff role other than admin."
		}
	} else if kind != KindPersonal {
		return nil, apperr.Internalf("unknown token kind %q", kind)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("The token was not made: see the fields below.", fields)
	}
	slices.SortFunc(scopes, func(a, b Scope) int { return slices.Index(Scopes, a) - slices.Index(Scopes, b) })
	now := s.clock.Now().UTC()
	token := Prefix + random(32)
	r := Record{ID: id.New(), TenantID: tenantID, OwnerID: ownerID, Name: name, Kind: kind, Role: role, Scopes: scopes,
		TokenHash: Hash(token), CreatedAt: now, ExpiresAt: now.AddDate(0, 0, days)}
	// The detail names the kind, role, scopes and expiry, never the name
	// (a patient's free text) or the token.
	detail := "kind=" + string(kind) + " role=" + string(role) + " scopes=" + scopeList(scopes) + " days=" + strconv.Itoa(days)
	if err := s.event(ctx, tenantID, "api_token.create", r.ID, detail); err != nil {
		return nil, err
	}
	if err := s.store.Insert(ctx, r, MaxOwned, now); err != nil {
		return nil, err
	}
	return &Created{Record: r, Token: token}, nil
}

// List returns the tokens of a kind and owner (every owner's when ownerID is
// empty: the admin page's service tokens), newest first.
func (s *Service) List(ctx context.Context, tenantID string, kind Kind, ownerID string) ([]Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Owned(ctx, tenantID, kind, ownerID)
}

// Revoke stops a token at once. A personal token is revoked only by its
// owner (ownerID); a service token by any admin of the tenant (ownerID "").
func (s *Service) Revoke(ctx context.Context, tenantID string, kind Kind, ownerID, tokenID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	// Why revoke first and record after: stopping a token must not wait
	// on the audit log; a failed record is still reported.
	if err := s.store.Revoke(ctx, tenantID, kind, ownerID, tokenID, s.clock.Now().UTC()); err != nil {
		return err
	}
	return s.event(ctx, tenantID, "api_token.revoke", tokenID, "kind="+string(kind))
}

func scopeList(scopes []Scope) string {
	out := make([]string, len(scopes))
	for i, sc := range scopes {
		out[i] = string(sc)
	}
	return strings.Join(out, ",")
}

// Authenticate returns the active token of a tenant, or NotFound for a
// token that is unknown, of another tenant, revoked or expired. It records
// the use. Why no cache: a revocation must stop the very next request.
func (s *Service) Authenticate(ctx context.Context, tenantID, token string) (Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !strings.HasPrefix(token, Prefix) || len(token) > 128 {
		return Record{}, apperr.NotFoundError()
	}
	r, err := s.store.ByHash(ctx, Hash(token))
	if err != nil {
		return Record{}, err
	}
	now := s.clock.Now().UTC()
	// Why the tenant must match: a token belongs to its tenant's site.
	if r.TenantID != tenantID || !r.Active(now) {
		return Record{}, apperr.NotFoundError()
	}
	// Why the person is checked on every use, as a session is: a disabled
	// or locked account, or one whose role changed, stops its tokens at
	// once. A personal token needs its patient active; a service token
	// needs the admin who made it still an active admin (an admin who
	// leaves takes their integrations' tokens along, deny by default).
	want := access.RolePatient
	if r.Kind == KindService {
		want = access.RoleAdmin
	}
	u, err := s.users.ByID(ctx, tenantID, r.OwnerID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (u.Status != accounts.StatusActive || u.Role != want)) {
		return Record{}, apperr.NotFoundError()
	}
	if err != nil {
		return Record{}, err
	}
	// Why only when the minute changed: the last-used time is shown to the
	// minute, and a write per request would serialise a busy integration on
	// SQLite's single writer.
	if r.LastUsedAt.IsZero() || now.Sub(r.LastUsedAt) >= time.Minute {
		if err := s.store.Touch(ctx, r.ID, now); err != nil {
			return Record{}, err
		}
		r.LastUsedAt = now
	}
	return r, nil
}

// Hash is what the store keeps of a token. Why a plain SHA-256 and not a
// slow hash: the token is 256 random bits, so nothing is gained by
// stretching, and the lookup runs on every API request.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte("salve-api-token\x00" + token))
	return h[:]
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Now is the service's time: pages show a token's status at it.
func (s *Service) Now() time.Time { return s.clock.Now().UTC() }
