// Package web holds what the web surfaces share. The surfaces are cut by
// audience, each a package below this one with its routes.go: shop (visitors
// and buyers), login (the ways in, for everyone with an account), portal
// (everything under /account), staff (staff at work) and admin (the back
// office); internal/api serves programs. What they share lives here: the
// tenant's brand in every page and the error page (Site), forms (Form), the
// session adapter (the cookie, the guard, the request's session, starting a
// session after a sign-in step: session.go), the cart cookie and a patient's
// saved cart (cart.go), the cache of public output, BaseURL for links in
// emails, and the tenant's theme stylesheet and logo.
package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
)

// Site renders pages in the request's tenant's brand.
type Site struct {
	engine  *render.Engine
	errPage *render.Page
	nav     Nav

	// navMu guards navs: each tenant's menu and legal links with the catalog
	// version they were read at (navOf).
	navMu sync.RWMutex
	navs  map[string]navEntry
}

// navEntry is one tenant's layout links at one catalog version.
type navEntry struct {
	version     int64
	menu, legal []render.MenuLink
}

// Nav is where the layout finds the tenant's menu and legal pages: the
// catalog service. Version is the tenant's catalog version, which every
// change to the menu or a page moves on.
type Nav interface {
	Menu(ctx context.Context, tenantID string) ([]catalog.MenuItem, error)
	Pages(ctx context.Context, tenantID string) ([]catalog.Page, error)
	Version(ctx context.Context, tenantID string) (int64, error)
}

// LegalSlugs are the slugs of the tenant pages the footer links to, when the
// tenant has published them, in the footer's order.
var LegalSlugs = []string{"privacy", "contact", "terms"}

// SetNav gives every page the tenant's menu and legal pages from n.
func (s *Site) SetNav(n Nav) { s.nav = n }

// NewSite returns a Site; it fails when a template it needs is missing.
func NewSite(engine *render.Engine) (*Site, error) {
	errPage, err := engine.Page("error")
	if err != nil {
		return nil, err
	}
	return &Site{engine: engine, errPage: errPage}, nil
}

// Engine returns the template engine.
func (s *Site) Engine() *render.Engine { return s.engine }

// Pages looks up a surface's templates, each into the field its name points
// to: a missing template fails when the surface is built, not on the first
// request that needs it.
func (s *Site) Pages(pages map[string]**render.Page) error {
	for name, p := range pages {
		page, err := s.engine.Page(name)
		if err != nil {
			return err
		}
		*p = page
	}
	return nil
}

// Render shows a page in the request's tenant's brand.
func (s *Site) Render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	return p.Render(w, status, s.View(r, title, data))
}

// View returns the view of a page for the request's tenant.
func (s *Site) View(r *http.Request, title string, data any) *render.View {
	t := tenant.FromContext(r.Context())
	v := &render.View{Brand: BrandOf(t), Title: title,
		RequestID: httpx.RequestID(r.Context()), Viewer: ViewerOf(r), Data: data}
	if s.nav != nil && t != nil {
		v.Menu, v.Legal = s.navOf(r.Context(), t.ID)
	}
	if t != nil {
		v.Legal = legalLinks(t, v.Legal)
	}
	return v
}

// legalLinks returns the footer's legal links: the brand's published legal
// landing pages (privacy, contact, terms; the older way) with the legal
// pages it sets or inherits (tenant.LegalPages, at /legal/{page}) in their
// place. The notice of privacy practices and the terms are always linked
// (their page says when none is published yet); the returns policy only
// when there is one.
func legalLinks(t *tenant.Tenant, pages []render.MenuLink) []render.MenuLink {
	out := make([]render.MenuLink, 0, len(pages)+len(tenant.LegalPages))
	linked := map[string]bool{}
	for _, p := range pages {
		name := strings.TrimPrefix(p.Href, "/pages/")
		if slices.ContainsFunc(tenant.LegalPages, func(lp tenant.LegalPage) bool { return lp.Name == name && t.Setting(lp.Key) != "" }) {
			p.Href = "/legal/" + name
		}
		linked[name] = true
		out = append(out, p)
	}
	for _, lp := range tenant.LegalPages {
		if !linked[lp.Name] && (t.Setting(lp.Key) != "" || lp.Name != "returns") {
			out = append(out, render.MenuLink{Label: lp.Title, Href: "/legal/" + lp.Name})
		}
	}
	return out
}

// navOf returns the tenant's menu and published legal pages, kept per tenant
// for as long as the catalog version stays the same. Why a cache: every page
// of every surface shows them, and reading them was two statements a page;
// the version is read at most once a second (catalog.Service.Version), so an
// edit shows at once on this replica and within a second on the others. The
// links are public catalog data, the same for everyone of the tenant: no
// person's data is kept. A failure to read them leaves the default links:
// the page itself still answers (nothing is hidden by their absence).
func (s *Site) navOf(ctx context.Context, tenantID string) (menu, legal []render.MenuLink) {
	ctx = tenant.WithScope(ctx, tenantID)
	version, err := s.nav.Version(ctx, tenantID)
	if err != nil {
		return s.readNav(ctx, tenantID)
	}
	s.navMu.RLock()
	e, ok := s.navs[tenantID]
	s.navMu.RUnlock()
	if ok && e.version == version {
		return e.menu, e.legal
	}
	menu, legal, complete := s.readNavAll(ctx, tenantID)
	if complete {
		s.navMu.Lock()
		if s.navs == nil {
			s.navs = make(map[string]navEntry)
		}
		s.navs[tenantID] = navEntry{version: version, menu: menu, legal: legal}
		s.navMu.Unlock()
	}
	return menu, legal
}

// readNav reads the tenant's links from the catalog.
func (s *Site) readNav(ctx context.Context, tenantID string) (menu, legal []render.MenuLink) {
	ctx = tenant.WithScope(ctx, tenantID)
	menu, legal, _ = s.readNavAll(ctx, tenantID)
	return menu, legal
}

// readNavAll reads the tenant's links and says whether both reads succeeded
// (only then are they kept).
func (s *Site) readNavAll(ctx context.Context, tenantID string) (menu, legal []render.MenuLink, complete bool) {
	ctx = tenant.WithScope(ctx, tenantID)
	items, err := s.nav.Menu(ctx, tenantID)
	if err == nil {
		for _, m := range items {
			menu = append(menu, render.MenuLink{Label: m.Label, Href: m.Href})
		}
	}
	pages, perr := s.nav.Pages(ctx, tenantID)
	if perr != nil {
		return menu, nil, false
	}
	for _, slug := range LegalSlugs {
		for _, p := range pages {
			if p.Slug == slug && p.Published {
				legal = append(legal, render.MenuLink{Label: p.Title, Href: "/pages/" + p.Slug})
			}
		}
	}
	return menu, legal, err == nil
}

// ViewerOf returns what the layout may know of the signed-in person: whether
// someone is signed in and which menus to offer.
func ViewerOf(r *http.Request) render.Viewer {
	sess, ok := SessionFrom(r.Context())
	if !ok {
		return render.Viewer{}
	}
	role := sess.Role
	acting, isActing := ActingFrom(r.Context())
	if isActing {
		role = acting.Role // the organisation role in a sister brand
	}
	v := render.Viewer{SignedIn: true, Patient: role == access.RolePatient, Staff: role.Staff() && sess.Complete(), Admin: role == access.RoleAdmin && sess.Complete(),
		Orders: sess.Complete() && (role == access.RoleCustomerService || role == access.RolePharmacist || role == access.RoleFulfillment)}
	// Why only a complete session: a member of staff who has not passed MFA
	// yet is offered no staff page (each would answer 404 anyway).
	if v.Staff {
		v.Work = workMenu(role)
		// The organisation's page, for a manager or admin holding that
		// organisation role (web/admin organisation.go admits only them).
		if isMgr := func(r access.Role) bool { return r == access.RoleAdmin || r == access.RoleStoreManager }; isActing && isMgr(acting.OrgRole) && isMgr(role) {
			v.Work = append(v.Work, render.MenuLink{Label: "Organisation", Href: "/admin/organisation"})
		}
	}
	if isActing && len(acting.Brands) > 1 {
		for _, b := range acting.Brands {
			v.Brands = append(v.Brands, render.BrandOption{ID: b.ID, Name: b.Name, Current: b.ID == acting.Current.ID})
		}
	}
	return v
}

// BrandOf returns how the layout shows a tenant; a neutral brand without one
// (an error page for a host no tenant claims).
func BrandOf(t *tenant.Tenant) render.Brand {
	if t == nil {
		return render.Brand{Name: "Salve"}
	}
	b := render.Brand{Name: t.Name, ThemeURL: ThemePath + "?v=" + t.Theme.Version(), Footer: t.Setting(tenant.SetFooter)}
	if t.Logo.SHA256 != "" {
		b.LogoURL = LogoPath + "?v=" + t.Logo.SHA256[:16]
	}
	return b
}

// errorData is what the error page shows.
type errorData struct {
	Title, Message string
	Fields         map[string]string
}

// ErrorPage renders an error page; it is the httpx.HTMLErrorPage of the server.
func (s *Site) ErrorPage(w http.ResponseWriter, r *http.Request, status int, title, message string, fields map[string]string) error {
	return s.errPage.Render(w, status, s.View(r, title, errorData{Title: title, Message: message, Fields: fields}))
}

// MediaPrefix is where product images are served.
const MediaPrefix = "/media/"

// ImageURL returns the content-hash URL of an image rendition.
func ImageURL(sha, size string) string { return MediaPrefix + sha + "/" + size }
