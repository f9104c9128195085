package admin

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type productRow struct {
	ID, Name, Slug, Status, Price, Category string
	Stock                                   int64
	Variants                                int
	Rx, HSA, LowStock                       bool
}

type productsData struct {
	State    formState
	Rows     []productRow
	Filter   string
	Q        string
	Statuses []string
	Total    int
}

// listProducts shows every product (any status) with price, stock and links:
// GET /admin/catalog. ?status= filters by status; ?q= by words in the name,
// brand or a SKU.
func (h *Handlers) listProducts(w http.ResponseWriter, r *http.Request) error {
	return h.showProducts(w, r, nil)
}

func (h *Handlers) showProducts(w http.ResponseWriter, r *http.Request, err error) error {
	t := tenant.FromContext(r.Context())
	ps, lerr := h.catalog.AllProducts(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	cats, lerr := h.catalog.Categories(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	names := map[string]string{}
	for _, c := range cats {
		names[c.ID] = c.Name
	}
	d := productsData{State: stateFrom(r, err), Filter: r.URL.Query().Get("status"), Q: r.URL.Query().Get("q"),
		Statuses: []string{catalog.StatusActive, catalog.StatusDraft, catalog.StatusArchived}, Total: len(ps)}
	terms := catalog.Terms(d.Q)
	for _, p := range ps {
		if d.Filter != "" && p.Status != d.Filter {
			continue
		}
		if len(terms) > 0 {
			text := p.Name + " " + p.Brand
			for _, v := range p.Variants {
				text += " " + v.SKU
			}
			text = " " + catalog.Normalize(text)
			match := true
			for _, t := range terms {
				match = match && strings.Contains(text, " "+t)
			}
			if !match {
				continue
			}
		}
		price, cur := p.MinPrice()
		d.Rows = append(d.Rows, productRow{ID: p.ID, Name: p.Name, Slug: p.Slug, Status: p.Status,
			Price: catalog.FormatPrice(price, cur), Category: names[p.CategoryID], Stock: p.TotalStock(),
			Variants: len(p.Variants), Rx: p.RequiresPrescription, HSA: p.HSAFSAEligible, LowStock: lowStock(p)})
	}
	return h.render(w, r, h.products, "Catalog", d, err)
}

// lowStock reports whether any variant of an active product has fewer than 5
// left, so the manager sees what to reorder.
func lowStock(p *catalog.Product) bool {
	if p.Status != catalog.StatusActive {
		return false
	}
	for _, v := range p.Variants {
		if v.Stock < catalog.LowStock {
			return true
		}
	}
	return false
}
