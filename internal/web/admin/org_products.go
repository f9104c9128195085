package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// orgProductsBase is where the organisation's own products are managed.
const orgProductsBase = "/admin/catalog/organisation/products"

// orgManaged returns the organisation whose products the person may manage:
// that of a person with an organisation-level store manager or admin role,
// acting in a brand of that organisation. Anyone else (a brand's own store
// manager included) gets the 404 of a page that does not exist: why, the
// organisation's catalog reaches every brand, so only a role over all of
// them may change it.
func orgManaged(r *http.Request) (string, error) {
	a, ok := web.ActingFrom(r.Context())
	t := tenant.FromContext(r.Context())
	if !ok || a.Home == nil || t == nil || a.Home.OrgID == "" || t.OrgID != a.Home.OrgID ||
		(a.OrgRole != access.RoleStoreManager && a.OrgRole != access.RoleAdmin) {
		return "", apperr.NotFoundError()
	}
	return a.Home.OrgID, nil
}

type orgProductRow struct {
	ID, Name, Slug, Status, Price, Availability string
	Variants                                    int
}

type orgProductsData struct {
	State formState
	Rows  []orgProductRow
}

// listOrgProducts lists the organisation's products for a person with an
// organisation-level role: GET /admin/catalog/organisation/products.
func (h *Handlers) listOrgProducts(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	ps, err := h.Offers.OrgProducts(r.Context(), orgID)
	if err != nil {
		return err
	}
	d := orgProductsData{State: stateFrom(r, nil)}
	for _, p := range ps {
		price, cur := p.MinPrice()
		d.Rows = append(d.Rows, orgProductRow{ID: p.ID, Name: p.Name, Slug: p.Slug, Status: p.Status, Price: catalog.FormatPrice(price, cur),
			Availability: catalog.AvailabilityOf(p.TotalStock()).Label(), Variants: len(p.Variants)})
	}
	return h.render(w, r, h.orgProductsView, "Organisation products", d, nil)
}

// newOrgProduct shows an empty organisation product form:
// GET /admin/catalog/organisation/products/new.
func (h *Handlers) newOrgProduct(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	p := &catalog.Product{Status: catalog.StatusDraft, Variants: []catalog.Variant{{Currency: "USD"}}}
	return h.orgProductForm(w, r, orgID, p, nil)
}

// editOrgProduct shows an organisation product's form:
// GET /admin/catalog/organisation/products/{id}.
func (h *Handlers) editOrgProduct(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	p, err := h.Offers.OrgProduct(r.Context(), orgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.orgProductForm(w, r, orgID, p, nil)
}

func (h *Handlers) orgProductForm(w http.ResponseWriter, r *http.Request, orgID string, p *catalog.Product, failed error) error {
	cats, err := h.Offers.OrgCategories(r.Context(), orgID)
	if err != nil {
		return err
	}
	return h.productFormPage(w, r, p, failed, productForm{Categories: cats, Base: orgProductsBase, Org: true})
}

// saveOrgProduct creates (POST /admin/catalog/organisation/products) or
// updates (POST /admin/catalog/organisation/products/{id}) an organisation
// product with its variants and shared stock; every brand's copy is
// rewritten in the same transaction. A refused form changes nothing and is
// shown again as typed.
func (h *Handlers) saveOrgProduct(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return err
	}
	p := &catalog.Product{}
	var old *catalog.Product
	if pid := r.PathValue("id"); pid != "" {
		if old, err = h.Offers.OrgProduct(ctx, orgID, pid); err != nil {
			return err
		}
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
	}
	bad := productFromForm(r.PostForm, p)
	keepVariantIDs(p, old)
	if len(bad) > 0 {
		err = invalidVariants(bad)
	} else {
		err = h.Offers.SaveOrgProduct(ctx, tenant.FromContext(ctx).ID, orgID, p)
	}
	if err != nil {
		return h.orgProductForm(w, r, orgID, p, err)
	}
	return seeOther(w, r, orgProductsBase+"/"+p.ID, "saved")
}

// uploadOrgImage adds a picture to an organisation product, and so to every
// brand's copy: POST /admin/catalog/organisation/products/{id}/images
// (multipart, as for a shop's own product; checked by content, resized).
func (h *Handlers) uploadOrgImage(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := h.Offers.OrgProduct(ctx, orgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	up, alt, bad, err := readUpload(r)
	if err != nil {
		return err
	}
	if bad != nil {
		return h.orgProductForm(w, r, orgID, p, bad)
	}
	if err := h.Offers.AddOrgImage(ctx, tenant.FromContext(ctx).ID, orgID, p.ID, alt, up); err != nil {
		return err
	}
	return seeOther(w, r, orgProductsBase+"/"+p.ID, "uploaded")
}

// deleteOrgImage removes a picture from an organisation product and every
// brand's copy: POST /admin/catalog/organisation/products/{id}/images/{image}/delete.
func (h *Handlers) deleteOrgImage(w http.ResponseWriter, r *http.Request) error {
	orgID, err := orgManaged(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	pid := r.PathValue("id")
	if err := h.Offers.DeleteOrgImage(ctx, tenant.FromContext(ctx).ID, orgID, pid, r.PathValue("image")); err != nil {
		return err
	}
	return seeOther(w, r, orgProductsBase+"/"+pid, "deleted")
}
