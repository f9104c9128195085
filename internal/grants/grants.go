// Package grants decides who may reach a person's data beyond their own: the
// Authorize decision (tenant, role, care relationship, proxy grant,
// break-glass; the rules themselves are package access), the care
// relationships an admin assigns, the proxy grants a patient gives a carer,
// and break-glass with its compliance review. A denial is audited and answers
// the same 404 as a missing record.
package grants

import (
	"context"
	"log/slog"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// ProxyGrant is a patient's grant to a caregiver, as stored.
type ProxyGrant struct {
	ID        string
	TenantID  string
	PatientID string
	ProxyID   string
	Scopes    []access.DataClass
	CreatedAt time.Time
	RevokedAt time.Time
}

// ProxyInvite is a patient's invitation of an address to act for them, as
// stored: kept for every address, with or without an account, so that the
// patient's list never tells which addresses have one. GrantID is the grant
// it became, once an account with that address existed or registered.
type ProxyInvite struct {
	ID        string
	TenantID  string
	PatientID string
	// EmailBidx is the keyed blind index of the address (accounts.EmailIndex);
	// EmailCT the address sealed under the patient.
	EmailBidx []byte
	EmailCT   []byte
	Scopes    []access.DataClass
	CreatedAt time.Time
	GrantID   string
}

// BreakGlass is an emergency access grant, as stored: the reason is vault
// ciphertext under the patient.
type BreakGlass struct {
	ID         string
	TenantID   string
	ActorID    string
	PatientID  string
	ReasonCT   []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ReviewedAt time.Time
	ReviewedBy string
	ReviewNote string
}

// Store keeps the relationships between people (internal/store.Links).
type Store interface {
	// AddCare records (or renews) a clinician's care relationship with a
	// patient.
	AddCare(ctx context.Context, tenantID, clinicianID, patientID string, now time.Time) error
	// HasCare reports whether a clinician has a current care relationship
	// with a patient.
	HasCare(ctx context.Context, tenantID, clinicianID, patientID string) (bool, error)
	InsertProxy(ctx context.Context, g ProxyGrant) error
	// InsertProxyInvite stores an invitation.
	InsertProxyInvite(ctx context.Context, inv ProxyInvite) error
	// AcceptProxyInvite stores g as the grant an open invitation became, in
	// one transaction; NotFound (and no grant) when the invitation was
	// revoked or accepted meanwhile.
	AcceptProxyInvite(ctx context.Context, tenantID, inviteID string, g ProxyGrant) error
	// OpenProxyInvites lists a tenant's invitations of an address (by its
	// blind index) that are neither revoked nor accepted.
	OpenProxyInvites(ctx context.Context, tenantID string, emailBidx []byte) ([]ProxyInvite, error)
	// ProxyInvites lists a patient's invitations that are not revoked.
	ProxyInvites(ctx context.Context, tenantID, patientID string) ([]ProxyInvite, error)
	// RevokeProxy ends a patient's invitation and the grant it became, or a
	// grant made before invitations, by id, in one transaction; NotFound
	// when the patient has no such live invitation or grant.
	RevokeProxy(ctx context.Context, tenantID, patientID, id string, now time.Time) error
	// Proxies lists live grants where userID is the patient (who may act for
	// them), or, with asProxy, where it is the proxy (for whom they may act).
	Proxies(ctx context.Context, tenantID, userID string, asProxy bool) ([]ProxyGrant, error)
	InsertBreakGlass(ctx context.Context, b BreakGlass) error
	// BreakGlassUntil returns when the actor's latest grant for the patient
	// expires; the zero time when there is none.
	BreakGlassUntil(ctx context.Context, tenantID, actorID, patientID string) (time.Time, error)
	// BreakGlassGrant returns the patient and the end of one of an actor's
	// grants; NotFound when the tenant has no such grant of that actor.
	BreakGlassGrant(ctx context.Context, tenantID, actorID, grantID string) (string, time.Time, error)
	// BreakGlassLatest returns an actor's latest grant for a patient;
	// NotFound when there is none.
	BreakGlassLatest(ctx context.Context, tenantID, actorID, patientID string) (BreakGlass, error)
	// BreakGlassList lists a tenant's grants, unreviewed first, newest first.
	BreakGlassList(ctx context.Context, tenantID string, limit int) ([]BreakGlass, error)
	// ReviewBreakGlass records a compliance review of a grant; NotFound when
	// there is no such unreviewed grant.
	ReviewBreakGlass(ctx context.Context, tenantID, grantID, reviewer, note string, now time.Time) error
}

// Users finds accounts (internal/store.Users); NotFound when there is none.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
	ByEmail(ctx context.Context, tenantID string, bidx []byte) (accounts.User, error)
}

// Accounts is what grants take from the accounts service.
type Accounts interface {
	// OpenEmail opens an account's address (audited as action).
	OpenEmail(ctx context.Context, u accounts.User, action string) (phi.String, error)
	// Alert records a high-severity event and emails the tenant's security
	// contact.
	Alert(ctx context.Context, t *tenant.Tenant, action, detail string) error
	// ProxyNotice emails a person that someone shared access with them
	// (the brand and link only).
	ProxyNotice(ctx context.Context, u accounts.User, brand, link string) error
}

// Vault is what grants take from the vault: audited handles (break-glass
// reasons), and the blind index that finds an account by its address.
type Vault interface {
	phi.Vault
	phi.Indexer
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Store    Store
	Users    Users
	Accounts Accounts
	Vault    Vault
	Audit    audit.Appender
	Clock    clock.Clock
	// Policy is the session lifetimes: break-glass needs a second factor
	// passed within its freshness window.
	Policy auth.SessionPolicy
	// Links names a tenant's site and its address, for the email that tells
	// a person a proxy grant was made; nil sends none.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// Log takes what cannot be returned (an email not queued after the
	// grant it announces was made): ids only.
	Log *slog.Logger
	// After does work after the answer (jobs.After): see GrantProxy. Nil
	// does it before answering, as tests of the service alone want.
	After accounts.Later
	// Brands keeps organisation roles and brand shares, OrgOf tells a
	// brand's organisation (issue 20 point 4); nil: neither exists, and
	// every other brand is denied.
	Brands BrandStore
	OrgOf  OrgOf
}

// Service decides and records access grants on the PHI store.
type Service struct {
	links    Store
	users    Users
	accounts Accounts
	vault    Vault
	audit    audit.Appender
	clock    clock.Clock
	policy   auth.SessionPolicy
	siteOf   func(ctx context.Context, tenantID string) (brand, baseURL string)
	log      *slog.Logger
	after    accounts.Later
	brands   BrandStore
	orgOf    OrgOf
}

// New returns the service; zero fields of d take the defaults (the system
// clock, the default session lifetimes).
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Policy == (auth.SessionPolicy{}) {
		d.Policy = auth.DefaultSessionPolicy()
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{links: d.Store, users: d.Users, accounts: d.Accounts, vault: d.Vault, audit: d.Audit, clock: d.Clock, policy: d.Policy,
		siteOf: d.Links, log: d.Log, after: d.After, brands: d.Brands, orgOf: d.OrgOf}
}

func (s *Service) emailIndex(tenantID, email string) []byte {
	return accounts.EmailIndex(s.vault, tenantID, email)
}

// event appends an identity audit event; see accounts.Record for why a
// failure refuses what was being done.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	return accounts.Record(ctx, s.audit, e)
}

// notFound maps apperr.NotFound to the 404 everyone gets.
func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.NotFoundError()
	}
	return err
}
