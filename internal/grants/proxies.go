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
	"github.com/salvehealth/salve/internal/tenant"
)

// proxyScopes are the classes a patient may grant a caregiver. Never their
// account security (sessions, factors): a proxy acts for them, never as them.
// The access history (who read the record, the disclosures; issue 16) may be
// granted so that a caregiver can watch over it for them.
var proxyScopes = []access.DataClass{access.DataContact, access.DataAddress, access.DataOrders, access.DataRx,
	access.DataClinical, access.DataDevices, access.DataBilling, access.DataMessages, access.DataAuditMeta}

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

// GrantProxy lets the signed-in patient invite an address to act for them
// in some of their data: the invitation is kept for every address, and
// becomes a grant to the patient account of the tenant with that address,
// now or when one registers (ClaimProxyInvites).
//
// The answer does not say whether the address has such an account, and it
// is given before anything is written: the invitation, the lookup and the
// grant are done after the answer (jobs.After), so neither the words nor the
// timing tell a signed-in patient who has an account here; and the list
// (Proxies) shows the invitation, the same for every address.
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

// grantProxy is the part of GrantProxy done after the answer: the
// invitation for every address, then the grant when the address has a
// patient account.
func (s *Service) grantProxy(ctx context.Context, a access.Actor, email string, classes []access.DataClass) error {
	now := s.clock.Now()
	inv := ProxyInvite{ID: id.NewAt(now), TenantID: a.TenantID, PatientID: a.ID, EmailBidx: s.emailIndex(a.TenantID, email),
		Scopes: classes, CreatedAt: now}
	// The address is sealed under the patient: they typed it, it is part of
	// their record (who may see it), and they read it back on their list.
	// The vault records the write (proxy.invite) first, for every address.
	h, err := s.vault.Access(ctx, phi.Request{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: access.Write, Purpose: access.PurposeSelf,
		Resource: "proxy_invite", ResourceID: inv.ID, AuditAction: "proxy.invite", Detail: "scopes=" + joinClasses(classes)})
	if err != nil {
		return err
	}
	if inv.EmailCT, err = h.SealString(a.ID, "proxy_invites", "email_ct", inv.ID, strings.TrimSpace(email)); err != nil {
		return err
	}
	if err := s.links.InsertProxyInvite(ctx, inv); err != nil {
		return err
	}
	p, err := s.users.ByEmail(ctx, a.TenantID, inv.EmailBidx)
	if apperr.Is(err, apperr.NotFound) {
		return nil // the invitation waits for a registration
	}
	if err != nil {
		return err
	}
	if p.Role != access.RolePatient || p.Status != accounts.StatusActive || p.ID == a.ID {
		return nil
	}
	if err := s.accept(ctx, inv, p.ID); err != nil {
		return err
	}
	s.proxyNotice(ctx, p)
	return nil
}

// accept turns an invitation into a grant to the account proxyID, audited
// first (proxy.grant, both people as subjects).
func (s *Service) accept(ctx context.Context, inv ProxyInvite, proxyID string) error {
	now := s.clock.Now()
	gid := id.NewAt(now)
	if err := s.event(ctx, audit.Entry{TenantID: inv.TenantID, Subjects: []string{inv.PatientID, proxyID}, Action: "proxy.grant",
		ResourceType: "proxy", ResourceID: gid, Detail: "invite=" + inv.ID + " scopes=" + joinClasses(inv.Scopes)}); err != nil {
		return err
	}
	err := s.links.AcceptProxyInvite(ctx, inv.TenantID, inv.ID, ProxyGrant{ID: gid, TenantID: inv.TenantID, PatientID: inv.PatientID,
		ProxyID: proxyID, Scopes: inv.Scopes, CreatedAt: now})
	if apperr.Is(err, apperr.NotFound) {
		return nil // revoked (or accepted) meanwhile: nothing to grant
	}
	return err
}

// ClaimProxyInvites makes grants of the open invitations of a patient
// account's address, in its tenant: registration's work after its answer
// calls it for the account it created (server wires it as
// accounts.Deps.Registered), so that an invitation made before the invitee
// had an account works once they have one.
//
// Why at registration and not only at verification: the grant is of use
// only to someone signed in, and signing in needs the address confirmed
// (signin refuses unverified accounts), so a stranger who registers with
// someone else's address gets nothing from the grant; and the real owner
// takes the account back through the reset link, which confirms it.
func (s *Service) ClaimProxyInvites(ctx context.Context, tenantID, userID string, emailBidx []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	invs, err := s.links.OpenProxyInvites(ctx, tenantID, emailBidx)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if inv.PatientID == userID {
			continue
		}
		if err := s.accept(ctx, inv, userID); err != nil {
			return err
		}
	}
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

// RevokeProxy ends one of the signed-in patient's invitations and the grant
// it became (or a grant made before invitations); NotFound (the same 404)
// for an id that is not theirs.
func (s *Service) RevokeProxy(ctx context.Context, id string) error {
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient {
		return apperr.DeniedError(errors.New("only patients revoke proxies"))
	}
	if err := s.event(ctx, audit.Entry{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: "proxy.revoke", ResourceType: "proxy",
		ResourceID: id}); err != nil {
		return err
	}
	return notFound(s.links.RevokeProxy(ctx, a.TenantID, a.ID, id, s.clock.Now()))
}

// Proxies lists the signed-in patient's invitations, with the addresses they
// typed opened (sealed under the patient; one audited proxy.read).
//
// Why every row reads the same, invited, whether or not it became a grant:
// an invitation becomes a grant at once exactly when the address has a
// patient account, so showing which were accepted would tell the patient
// who has an account here, the leak the invitations close. A patient who
// wants to know asks the person; withdrawing ends the invitation and its
// grant alike.
//
// Grants made before invitations existed (no invitation row) are listed too,
// with the grantee's address, so that they can still be withdrawn; those
// told their patient about the account when they were made.
func (s *Service) Proxies(ctx context.Context) ([]Proxy, error) {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return nil, apperr.DeniedError(errors.New("no actor"))
	}
	invs, err := s.links.ProxyInvites(ctx, a.TenantID, a.ID)
	if err != nil {
		return nil, err
	}
	grants, err := s.links.Proxies(ctx, a.TenantID, a.ID, false)
	if err != nil {
		return nil, err
	}
	out := make([]Proxy, 0, len(invs)+len(grants))
	invited := map[string]bool{}
	if len(invs) > 0 {
		h, err := s.vault.Access(ctx, phi.Request{TenantID: a.TenantID, Subjects: []string{a.ID}, Action: access.Read, Purpose: access.PurposeSelf,
			Resource: "proxy_invite", AuditAction: "proxy.read"})
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			email, err := h.OpenString(a.ID, "proxy_invites", "email_ct", inv.ID, inv.EmailCT)
			if err != nil {
				return nil, err
			}
			invited[inv.GrantID] = true
			out = append(out, Proxy{ID: inv.ID, Email: email, Scopes: inv.Scopes, Since: inv.CreatedAt})
		}
	}
	for _, g := range grants {
		if invited[g.ID] {
			continue
		}
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
