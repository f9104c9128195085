package shop

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type imageView struct {
	URL, Alt string
	W, H     int
}

type variantView struct {
	ID, Name, SKU, Price, Stock string
	InStock                     bool
	// Breaks are the volume prices in words: "3 or more: $8.99 each".
	Breaks []string
}

// productData is what a product page shows.
type productData struct {
	P           *catalog.Product
	Category    *catalog.Category
	Description template.HTML
	Price       string
	FromPrice   bool
	Images      []imageView
	Variants    []variantView
	Related     []productCard // more of the same category
}

// showProduct renders a product page: /products/{slug}. Drafts, archived and
// unknown products are the same 404.
func (h *Handlers) showProduct(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	return h.serveCached(w, r, h.product, slug, func() (string, any, error) {
		t := tenant.FromContext(r.Context())
		p, err := h.catalog.PublicProduct(r.Context(), t.ID, slug)
		if err != nil {
			return "", nil, err
		}
		d := productData{P: p,
			// Sanitized when it was saved (internal/markup), so it is safe to
			// show as HTML.
			Description: template.HTML(p.DescriptionHTML), //nolint:gosec // rendered by internal/markup on save
		}
		c := card(p)
		d.Price, d.FromPrice = c.Price, c.FromPrice
		if p.CategoryID != "" {
			cats, err := h.catalog.Categories(r.Context(), t.ID)
			if err != nil {
				return "", nil, err
			}
			for i := range cats {
				if cats[i].ID == p.CategoryID {
					d.Category = &cats[i]
				}
			}
		}
		if d.Category != nil {
			rel, err := h.catalog.Search(r.Context(), t.ID, catalog.Query{Category: d.Category.Slug, InStock: true,
				MinPrice: -1, MaxPrice: -1, Sort: catalog.SortName, Page: 1, PerPage: 5})
			if err != nil {
				return "", nil, err
			}
			for _, o := range rel.Products {
				if o.ID != p.ID && len(d.Related) < 4 {
					d.Related = append(d.Related, card(o))
				}
			}
		}
		for _, im := range p.Images {
			d.Images = append(d.Images, imageView{URL: imageURL(im.SHA256, catalog.SizeLarge), Alt: im.Alt, W: im.Width, H: im.Height})
		}
		for _, v := range p.Variants {
			// The page shows the availability level, never the count: the
			// cache is invalidated only when a level changes (store.Stock).
			lvl := catalog.AvailabilityOf(v.Stock)
			vv := variantView{ID: v.ID, Name: v.Name, SKU: v.SKU, Price: catalog.FormatPrice(v.Price, v.Currency),
				InStock: lvl != catalog.OutOfStock, Stock: lvl.Label()}
			for _, b := range v.PriceBreaks {
				vv.Breaks = append(vv.Breaks, fmt.Sprintf("%d or more: %s each", b.MinQuantity, catalog.FormatPrice(b.UnitPrice, v.Currency)))
			}
			if vv.Name == "" {
				vv.Name = p.Name
			}
			d.Variants = append(d.Variants, vv)
		}
		return p.Name, d, nil
	})
}
