package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// ProductList is a page of search results.
type ProductList struct {
	Products []ProductSummary `json:"products"`
	Total    int              `json:"total"`
	Page     int              `json:"page"`
	Pages    int              `json:"pages"`
	Limit    int              `json:"limit"`
	Facets   FacetsJSON       `json:"facets"`
	// Corrected is the spelling searched instead of q, which found nothing.
	Corrected string `json:"corrected,omitempty"`
}

// FacetsJSON are the counts beside results.
type FacetsJSON struct {
	Categories []FacetJSON `json:"categories"`
	Tags       []FacetJSON `json:"tags"`
	InStock    int         `json:"in_stock"`
	Rx         int         `json:"requires_prescription"`
	HSA        int         `json:"hsa_fsa_eligible"`
}

// FacetJSON is one facet value.
type FacetJSON struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// listProducts answers GET /api/v1/products: the same search as /products.
func (h *Handlers) listProducts(w http.ResponseWriter, r *http.Request) error {
	// The raw query is the cache key: a hit is served without parsing; the
	// query is parsed and checked on a miss, and errors are never cached.
	return h.serveCached(w, r, "list|"+r.URL.RawQuery, func() (any, error) {
		q, err := catalog.ParseQuery(r.URL.Query())
		if err != nil {
			return nil, err
		}
		res, err := h.catalog.Search(r.Context(), tenant.FromContext(r.Context()).ID, q)
		if err != nil {
			return nil, err
		}
		cats := categoryMap(res.Categories)
		out := ProductList{Products: make([]ProductSummary, 0, len(res.Products)), Total: res.Total, Page: q.Page, Pages: res.Pages, Limit: q.PerPage, Corrected: res.Corrected,
			Facets: FacetsJSON{Categories: []FacetJSON{}, Tags: []FacetJSON{}, InStock: res.Facets.InStock, Rx: res.Facets.Rx, HSA: res.Facets.HSA}}
		for _, p := range res.Products {
			out.Products = append(out.Products, summary(p, cats))
		}
		for _, f := range res.Facets.Categories {
			out.Facets.Categories = append(out.Facets.Categories, FacetJSON(f))
		}
		for _, f := range res.Facets.Tags {
			out.Facets.Tags = append(out.Facets.Tags, FacetJSON(f))
		}
		return &out, nil // a *ProductList writes its own JSON (listjson.go)
	})
}
