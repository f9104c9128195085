package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Sharing with a sister brand (issue 20 point 4): a patient is a patient of
// one brand; another brand of the same organisation sees nothing of them
// unless they consent here, class by class, and they can withdraw it.

// sharing is what the sharing pages need: the organisation's brands and the
// page.
type sharing struct {
	brands func(orgID string) []*tenant.Tenant
	page   *render.Page
}

// Sharing turns the sharing pages on: brands lists an organisation's brands
// (the tenant resolver's). Without it the pages answer 404.
func (h *Handlers) Sharing(brands func(orgID string) []*tenant.Tenant) error {
	h.sharing.brands = brands
	return h.site.Pages(map[string]**render.Page{"portal/sharing": &h.sharing.page})
}

// shareRow is one consent on the page.
type shareRow struct {
	ID, Brand, Since string
	Scopes           []access.DataClass
}

// sharingData is the page where a patient shares with a sister brand.
type sharingData struct {
	Form   *web.Form
	Shares []shareRow
	// Brands are the sister brands the patient may share with; none when
	// their brand belongs to no organisation.
	Brands []render.BrandOption
	Scopes []access.DataClass
	Brand  string // the patient's own brand
}

// sisters returns the other brands of the request's brand's organisation.
func (h *Handlers) sisters(t *tenant.Tenant) []*tenant.Tenant {
	var out []*tenant.Tenant
	if h.sharing.brands == nil || t == nil || t.OrgID == "" {
		return nil
	}
	for _, b := range h.sharing.brands(t.OrgID) {
		if b.ID != t.ID {
			out = append(out, b)
		}
	}
	return out
}

func (h *Handlers) renderSharing(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	if h.sharing.page == nil {
		return apperr.NotFoundError()
	}
	t := tenant.FromContext(r.Context())
	list, err := h.grants.BrandShares(r.Context())
	if err != nil {
		return err
	}
	sisters := h.sisters(t)
	name := func(id string) string {
		for _, b := range sisters {
			if b.ID == id {
				return b.Name
			}
		}
		return "A brand no longer in the group"
	}
	d := sharingData{Form: f, Scopes: grants.ProxyScopes(), Brand: t.Name}
	for _, s := range list {
		d.Shares = append(d.Shares, shareRow{ID: s.ID, Brand: name(s.TargetTenantID), Since: s.CreatedAt.Format("2 January 2006"), Scopes: s.Scopes})
	}
	for _, b := range sisters {
		d.Brands = append(d.Brands, render.BrandOption{ID: b.ID, Name: b.Name, Current: f.Value("brand") == b.ID})
	}
	return h.render(w, r, h.sharing.page, status, "Sharing with our other brands", d)
}
