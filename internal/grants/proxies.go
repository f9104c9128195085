package grants

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
)

// proxyScopes are the classes a patient may grant a caregiver. Never their
// account security (sessions, factors): a proxy acts for them, never as them.
var proxyScopes = []access.DataClass{access.DataContact, access.DataAddress, access.DataOrders, access.DataRx,
	access.DataClinical, access.DataDevices, access.DataBilling, access.DataMessages}

// joinClasses lists classes for an audit event's detail.
func joinClasses(cs []access.DataClass) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return strings.Join(out, ",")
}

// ProxyScopes lists what a patient may grant.
func ProxyScopes() []access.DataClass { return slices.Clone(proxyScopes) }

// Proxy is a grant as the patient's page shows it.
type Proxy struct {
	ID     string
	Email  phi.String
	Scopes []access.DataClass
	Since  time.Time
}

// GrantProxy lets the signed-in patient give another patient account of the
// tenant, found by its email address, access to some of their data.
//
// The answer does not say whether the address has such an account, and it
// is given before the account is looked up: the lookup and the grant are
// done after the answer (jobs.After), so neither the words nor the timing
// tell a signed-in patient who has an account here. An address without a
// suitable account gets nothing, recorded as a denied grant.
func (s *Service) GrantProxy(ctx context.Context, email string, scopes []string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return apperr.DeniedError(errors.New("only patients grant proxies"))
	}
	var classes []access.DataClass
	for _, sc := range scopes {
		if !slices.Contains(proxyScopes, access.DataClass(sc)) {
			return apperr.InvalidFields("Choose what to share from the list.", map[string]string{"scopes": "Unknown choice."})
		}
		if !slices.Contains(classes, access.DataClass(sc)) {
			classes = append(classes, access.DataClass(sc))
		}
	}
	if len(classes) == 0 {
		return apperr.InvalidFields("Choose what to share.", map[string]string{"scopes": "Choose at least one."})
	}
	if err := accounts.CheckEmail(email); err != nil {
		return err
	}
	return accounts.AfterAnswer(ctx, s.after, "grants.proxy", func(ctx context.Context) error { return s.grantProxy(ctx, a, email, classes) })
}

// grantProxy is the part of GrantProxy done after the answer.
func (s *Service) grantProxy(ctx context.Context, a access.Actor, email string, classes []access.DataClass) error {
	p, err := s.users.ByEmail(ctx, a.TenantID, s.emailIndex(a.TenantID, email))
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if err != nil || p.Role != access.RolePatient || p.Status != accounts.StatusActive || p.ID == a.ID {
		return s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "proxy.grant", ResourceType: "proxy",
			Outcome: audit.Denied, Detail: "no patient account with that address"})
	}
	gid := id.NewAt(s.clock.Now())
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID, p.ID}, Action: "proxy.grant", ResourceType: "proxy",
		ResourceID: gid, Detail: "scopes=" + joinClasses(classes)}); err != nil {
		return err
	}
	if err := s.links.InsertProxy(ctx, ProxyGrant{ID: gid, TenantID: a.TenantID, PatientID: a.ID, ProxyID: p.ID, Scopes: classes,
		CreatedAt: s.clock.Now()}); err != nil {
		return err
	}
	s.proxyNotice(ctx, p)
	return nil
}

// proxyNotice tells the person granted that someone shared access with
// them, by an email that names neither who nor what (no PHI in emails); the
// list is on their account page. The grant stands if the email cannot be
// queued: that is logged (ids only), not returned.
func (s *Service) proxyNotice(ctx context.Context, p accounts.User) {
	if s.siteOf == nil {
		return
	}
	brand, base := s.siteOf(ctx, p.TenantID)
	if err := s.accounts.ProxyNotice(ctx, p, brand, strings.TrimSuffix(base, "/")+"/account"); err != nil {
		s.log.ErrorContext(ctx, "proxy notice not queued", "user", p.ID, "err", err)
	}
}

// ActingFor is one person the signed-in patient may act for, as their
// account page shows it.
type ActingFor struct {
	// PatientID is the person who granted: the switcher links to their
	// dashboard by id (never by address).
	PatientID string
	Email     phi.String
	Scopes    []access.DataClass
	Since     time.Time
}

// ActingFor lists the people who granted the signed-in patient access to
// parts of their record, with their addresses opened (the grantor's
// address, shown to the person they chose to share with so that they know
// whose record it is; audited as proxy.read with the grantor as subject).
func (s *Service) ActingFor(ctx context.Context) ([]ActingFor, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, apperr.DeniedError(errors.New("no actor"))
	}
	if a.Role != access.RolePatient {
		return nil, nil
	}
	grants, err := s.links.Proxies(ctx, a.TenantID, a.ID, true)
	if err != nil || len(grants) == 0 {
		return nil, err
	}
	out := make([]ActingFor, 0, len(grants))
	for _, g := range grants {
		u, err := s.users.ByID(ctx, a.TenantID, g.PatientID)
		if err != nil || u.Status != accounts.StatusActive {
			continue
		}
		email, err := s.accounts.OpenEmail(ctx, u, "proxy.read")
		if err != nil {
			return nil, err
		}
		out = append(out, ActingFor{PatientID: g.PatientID, Email: email, Scopes: g.Scopes, Since: g.CreatedAt})
	}
	return out, nil
}

// RevokeProxy ends one of the signed-in patient's grants.
func (s *Service) RevokeProxy(ctx context.Context, grantID string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return apperr.DeniedError(errors.New("only patients revoke proxies"))
	}
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "proxy.revoke", ResourceType: "proxy",
		ResourceID: grantID}); err != nil {
		return err
	}
	return notFound(s.links.RevokeProxy(ctx, a.TenantID, a.ID, grantID, s.clock.Now()))
}

// Proxies lists who may act for the signed-in patient, with their addresses
// opened (the grantee's address is the grantee's PHI, shown to the grantor
// who typed it; audited).
func (s *Service) Proxies(ctx context.Context) ([]Proxy, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, apperr.DeniedError(errors.New("no actor"))
	}
	grants, err := s.links.Proxies(ctx, a.TenantID, a.ID, false)
	if err != nil || len(grants) == 0 {
		return nil, err
	}
	out := make([]Proxy, 0, len(grants))
	for _, g := range grants {
		u, err := s.users.ByID(ctx, a.TenantID, g.ProxyID)
		if err != nil {
			continue
		}
		email, err := s.accounts.OpenEmail(ctx, u, "proxy.read")
		if err != nil {
			return nil, err
		}
		out = append(out, Proxy{ID: g.ID, Email: email, Scopes: g.Scopes, Since: g.CreatedAt})
	}
	return out, nil
}
