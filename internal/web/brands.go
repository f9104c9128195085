package web

import (
	"context"
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Roles across brands (issue 20 point 4). A staff member with an
// organisation-level role signs in at their own brand's host, with that
// host's session cookie, as everyone does; on staff and admin pages the brand
// switcher in the header chooses which brand of the organisation they act in.
// The choice is a second, host-only cookie that names a brand; the guard
// checks it against the account's organisation role on every request, so it
// is a preference, never a credential: a choice the account may not make
// (another organisation, a role revoked, a brand moved out) is ignored and
// the person acts in their own brand with their own role.
//
// Why no hand-over to the other brand's host: a token that signs a person in
// at another host is a bearer credential that travels in a URL and has to be
// single-use, short-lived and bound; not minting one at all is simpler and
// keeps every brand host's session cookie valid at that host alone, so "a
// patient of brand A cannot sign in to brand B with the same session cookie"
// stays true for staff too.

// BrandCookieTLS and BrandCookiePlain name the cookie of the brand switcher's
// choice (see Cookies for why two names).
const (
	BrandCookieTLS   = "__Host-salve_brand"
	BrandCookiePlain = "salve_brand"
)

// BrandCookieName returns the switcher cookie's name.
func (c Cookies) BrandCookieName() string {
	if c.Secure {
		return BrandCookieTLS
	}
	return BrandCookiePlain
}

// SetBrand keeps the switcher's choice (a brand id; "" clears it).
func (c Cookies) SetBrand(w http.ResponseWriter, brandID string) {
	ck := &http.Cookie{Name: c.BrandCookieName(), Value: brandID, Path: "/", HttpOnly: true, Secure: c.Secure, //nolint:gosec // as in Set
		SameSite: http.SameSiteLaxMode}
	if brandID == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}

// brandChoice returns the switcher's choice in the request, or "".
func (c Cookies) brandChoice(r *http.Request) string {
	ck, err := r.Cookie(c.BrandCookieName())
	if err != nil {
		return ""
	}
	return ck.Value
}

// OrgRoles finds an account's organisation role (grants.Service);
// NotFound when it has none.
type OrgRoles interface {
	OrgRoleOf(ctx context.Context, tenantID, userID string) (grants.OrgRole, error)
}

// BrandSwitch is what the guard needs for roles across brands: the
// organisation roles, and the brands of an organisation (the tenant
// resolver's).
type BrandSwitch struct {
	Roles  OrgRoles
	Brands func(orgID string) []*tenant.Tenant
}

// Acting is the brand switcher's state on a request of a person with an
// organisation role: their own brand, the brand they act in, and the brands
// they may choose.
type Acting struct {
	Home, Current *tenant.Tenant
	// Role is the role the person acts with in Current; OrgRole the one
	// they act with in every brand but their own.
	Role, OrgRole access.Role
	Brands        []*tenant.Tenant
}

type actingKey struct{}

// ActingFrom returns the switcher's state, if the person has an
// organisation role and the route is a staff or admin page.
func ActingFrom(ctx context.Context) (Acting, bool) {
	a, ok := ctx.Value(actingKey{}).(Acting)
	return a, ok
}

// act applies the switcher's choice to a staff or admin request of a
// complete session at home brand t: the tenant and actor of the request
// become the chosen brand's, with the organisation role. It returns the
// request and the role the class checks use.
func (b *BrandSwitch) act(r *http.Request, c Cookies, t *tenant.Tenant, sess signin.Session) (*http.Request, access.Role, error) {
	if b == nil || b.Roles == nil || b.Brands == nil {
		return r, sess.Role, nil
	}
	ctx := r.Context()
	or, err := b.Roles.OrgRoleOf(ctx, t.ID, sess.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return r, sess.Role, nil
	}
	if err != nil {
		return nil, "", err
	}
	// Why check the home brand too: a brand moved out of the organisation
	// takes its staff's organisation role out with it.
	if or.OrgID == "" || t.OrgID != or.OrgID || !or.Role.Staff() {
		return r, sess.Role, nil
	}
	acting := Acting{Home: t, Current: t, Role: sess.Role, OrgRole: or.Role, Brands: b.Brands(or.OrgID)}
	if choice := c.brandChoice(r); choice != "" && choice != t.ID {
		for _, bt := range acting.Brands {
			if bt.ID == choice {
				acting.Current, acting.Role = bt, or.Role
				ctx = tenant.NewContext(ctx, bt)
				ctx = access.WithActor(ctx, access.Actor{ID: sess.UserID, Role: or.Role, TenantID: bt.ID, SessionID: sess.ID})
			}
		}
	}
	return r.WithContext(context.WithValue(ctx, actingKey{}, acting)), acting.Role, nil
}
