package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// offerRow is one organisation product on the organisation catalog page.
type offerRow struct {
	Offer    *catalog.Offer
	Variants []offerVariant
}

// offerVariant is one organisation variant with the brand's price.
type offerVariant struct {
	ID, SKU, Name string
	// OrgPrice is the organisation's price; Price is the brand's own, as
	// the form shows it ("" when the brand sells at the organisation's).
	OrgPrice, Price string
	Own             bool
	Availability    string
	// OwnStock: this shop sells its own stock of the variant, Stock units
	// (as the form shows it); otherwise the organisation's shared stock.
	OwnStock bool
	Stock    string
}

type orgCatalogData struct {
	State formState
	InOrg bool
	Rows  []offerRow
	// Failed is the variant whose price was refused, and Typed what was
	// typed, shown again in its box; StockFailed and StockTyped likewise
	// for a refused stock count.
	Failed, Typed           string
	StockFailed, StockTyped string
	// ManageOrg: the person has an organisation-level role that manages the
	// organisation's own products (a link to them).
	ManageOrg bool
}

// showOrgCatalog shows the organisation's shared catalog as this brand sees
// it: each product, whether this shop sells it, and each variant's price
// here: GET /admin/catalog/organisation.
func (h *Handlers) showOrgCatalog(w http.ResponseWriter, r *http.Request) error {
	return h.orgCatalog(w, r, nil, "", "")
}

func (h *Handlers) orgCatalog(w http.ResponseWriter, r *http.Request, failed error, variantID, typed string) error {
	return h.orgCatalogPage(w, r, failed, orgCatalogData{Failed: variantID, Typed: typed})
}

func (h *Handlers) orgCatalogStock(w http.ResponseWriter, r *http.Request, failed error, variantID, typed string) error {
	return h.orgCatalogPage(w, r, failed, orgCatalogData{StockFailed: variantID, StockTyped: typed})
}

func (h *Handlers) orgCatalogPage(w http.ResponseWriter, r *http.Request, failed error, d orgCatalogData) error {
	t := tenant.FromContext(r.Context())
	offers, err := h.Offers.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	d.State, d.InOrg = stateFrom(r, failed), t.OrgID != ""
	_, notOrg := orgManaged(r)
	d.ManageOrg = notOrg == nil
	for _, o := range offers {
		row := offerRow{Offer: o}
		for _, v := range o.Product.Variants {
			ov := offerVariant{ID: v.ID, SKU: v.SKU, Name: v.Name, OrgPrice: catalog.FormatPrice(v.Price, v.Currency),
				Availability: catalog.AvailabilityOf(v.Stock).Label()}
			if p, own := o.BrandPrice(&v); own {
				ov.Price, ov.Own = catalog.FormatDecimal(p), true
			}
			if n, own := o.OwnStock[v.ID]; own {
				ov.OwnStock, ov.Stock = true, strconv.FormatInt(n, 10)
				ov.Availability = catalog.AvailabilityOf(n).Label()
			}
			if v.ID == d.Failed {
				ov.Price = d.Typed
			}
			if v.ID == d.StockFailed {
				ov.Stock = d.StockTyped
			}
			row.Variants = append(row.Variants, ov)
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.orgCatalogView, "Organisation catalog", d, failed)
}
