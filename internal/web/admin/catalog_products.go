package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type productRow struct {
	ID, Name, Slug, Status, Price, Category string
	Stock                                   int64
	Variants                                int
	Rx, HSA                                 bool
}

type productsData struct {
	State    formState
	Rows     []productRow
	Filter   string
	Statuses []string
}

// listProducts shows every product (any status) with price, stock and links:
// GET /admin/catalog. ?status= filters by status.
func (h *Handlers) listProducts(w http.ResponseWriter, r *http.Request) error {
	return h.showProducts(w, r, nil)
}

func (h *Handlers) showProducts(w http.ResponseWriter, r *http.Request, err error) error {
	t := tenant.FromContext(r.Context())
	ps, lerr := h.catalog.Store().AllProducts(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	cats, lerr := h.catalog.Store().Categories(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	names := map[string]string{}
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	d := productsData{State: stateFrom(r, err), Filter: r.URL.Query().Get("status"),
		Statuses: []string{catalog.StatusActive, catalog.StatusDraft, catalog.StatusArchived}}
	for _, p := range ps {
		if d.Filter != "" && p.Status != d.Filter {
			continue
		}
		price, cur := p.MinPrice()
		d.Rows = append(d.Rows, productRow{ID: p.ID, Name: p.Name, Slug: p.Slug, Status: p.Status,
			Price: catalog.FormatPrice(price, cur), Category: names[p.CategoryID], Stock: p.TotalStock(),
			Variants: len(p.Variants), Rx: p.RequiresPrescription, HSA: p.HSAFSAEligible})
	}
	return h.render(w, r, h.products, "Catalog", d, err)
}
