package shop

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// productCard is a product in a list.
type productCard struct {
	Name, URL, Summary, Price, ImageURL, ImageAlt string
	FromPrice, InStock, Rx, HSA                   bool
	ImageW, ImageH                                int
}

// facetLink is a filter value with its count and the link that applies it.
type facetLink struct {
	Label    string
	Count    int
	URL      string
	Selected bool
}

type option struct {
	Value, Label string
	Selected     bool
}

// listData is what the product list shows.
type listData struct {
	Heading, Intro     string
	Action             string // where the filter form goes
	Query              catalog.Query
	MinPrice, MaxPrice string
	Total, Page, Pages int
	// Corrected is the spelling searched instead of the text as typed, which
	// found nothing ("" when the text was searched as typed).
	Corrected string
	Cards     []productCard
	// CardsHTML, CategoriesHTML, TagsHTML, RefineHTML (InStock, HSA and
	// Rx), SortsHTML and RxOptionsHTML are those rendered (cards.go).
	CardsHTML, CategoriesHTML, TagsHTML, RefineHTML, SortsHTML, RxOptionsHTML template.HTML
	Categories, Tags                                                          []facetLink
	InStock, Rx, HSA                                                          facetLink
	Sorts                                                                     []option
	RxOptions                                                                 []option
	Prev, Next                                                                string
	// Last links to the last page when the page asked for is past it (a
	// stale or edited link): the page says so instead of a count above an
	// empty list.
	Last          string
	ClearURL      string
	FixedCategory bool
}

// listProducts renders the catalog: /products with search (q), filters, sort
// and pages. Search terms are only in the URL and this response: the access log
// records the route pattern, never the query.
func (h *Handlers) listProducts(w http.ResponseWriter, r *http.Request) error {
	// The raw query is the cache key, so a cached page is served without
	// parsing it; a query is parsed and checked only on a miss, and a bad one
	// is an error that is never cached. Spellings of the same search are
	// separate entries; the cache's size bound keeps that harmless.
	return h.serveCached(w, r, h.list, "raw:"+r.URL.RawQuery, func() (string, any, error) {
		q, err := catalog.ParseQuery(pageQuery(r.URL.Query()))
		if err != nil {
			return "", nil, err
		}
		return h.listPage(r, q, nil)
	})
}

// renderList renders a list page for a query; cat, when set, is the category
// page's own category.
func (h *Handlers) renderList(w http.ResponseWriter, r *http.Request, q catalog.Query, cat *catalog.Category) error {
	return h.serveCached(w, r, h.list, "cat:"+cat.Slug+"|"+q.Encode(), func() (string, any, error) {
		return h.listPage(r, q, cat)
	})
}

// listPage searches and builds a list page's title and data.
func (h *Handlers) listPage(r *http.Request, q catalog.Query, cat *catalog.Category) (string, any, error) {
	t := tenant.FromContext(r.Context())
	res, err := h.catalog.Search(r.Context(), t.ID, q)
	if err != nil {
		return "", nil, err
	}
	d := buildList(res, q, cat, r.URL.Path)
	title := "Products"
	if cat != nil {
		title = cat.Name
	} else if q.Text != "" {
		title = "Search: " + q.Text
	}
	return title, d, nil
}

// buildList builds the page from results.
func buildList(res *catalog.Results, q catalog.Query, cat *catalog.Category, path string) listData {
	link := func(change func(*catalog.Query)) string {
		q2 := q
		q2.Page = 1
		change(&q2)
		if cat != nil {
			q2.Category = "" // the page's own, in its path
		}
		return q2.URL(path)
	}
	d := listData{Heading: "Products", Action: path, Query: q, Total: res.Total, Page: q.Page, Pages: res.Pages, FixedCategory: cat != nil,
		Corrected: res.Corrected}
	if cat != nil {
		d.Heading, d.Intro = cat.Name, cat.Description
	} else if q.Text != "" {
		d.Heading = "Results for “" + q.Text + "”"
	}
	if q.MinPrice >= 0 {
		d.MinPrice = catalog.FormatDecimal(q.MinPrice)
	}
	if q.MaxPrice >= 0 {
		d.MaxPrice = catalog.FormatDecimal(q.MaxPrice)
	}
	for _, p := range res.Products {
		d.Cards = append(d.Cards, card(p))
	}
	d.CardsHTML = cardsHTML(d.Cards)
	if cat == nil {
		for _, f := range res.Facets.Categories {
			sel := f.Value == q.Category
			d.Categories = append(d.Categories, facetLink{Label: f.Label, Count: f.Count, Selected: sel,
				URL: link(func(x *catalog.Query) { x.Category = toggle(sel, f.Value) })})
		}
	}
	for _, f := range res.Facets.Tags {
		sel := f.Value == q.Tag
		d.Tags = append(d.Tags, facetLink{Label: f.Label, Count: f.Count, Selected: sel,
			URL: link(func(x *catalog.Query) { x.Tag = toggle(sel, f.Value) })})
	}
	d.InStock = facetLink{Label: "In stock", Count: res.Facets.InStock, Selected: q.InStock, URL: link(func(x *catalog.Query) { x.InStock = !q.InStock })}
	d.HSA = facetLink{Label: "HSA/FSA eligible", Count: res.Facets.HSA, Selected: q.HSA, URL: link(func(x *catalog.Query) { x.HSA = !q.HSA })}
	d.Rx = facetLink{Label: "Prescription only", Count: res.Facets.Rx, Selected: q.Rx == "only",
		URL: link(func(x *catalog.Query) { x.Rx = toggle(q.Rx == "only", "only") })}
	d.CategoriesHTML, d.TagsHTML = facetsHTML(d.Categories...), facetsHTML(d.Tags...)
	d.RefineHTML = facetsHTML(d.InStock, d.HSA, d.Rx)
	for _, s := range []option{{catalog.SortRelevance, "Best match", false}, {catalog.SortName, "Name", false},
		{catalog.SortPriceAsc, "Price: low to high", false}, {catalog.SortPriceDesc, "Price: high to low", false}, {catalog.SortNewest, "Newest", false}} {
		s.Selected = s.Value == q.Sort
		d.Sorts = append(d.Sorts, s)
	}
	for _, s := range []option{{"", "Any", false}, {"only", "Prescription only", false}, {"none", "No prescription needed", false}} {
		s.Selected = s.Value == q.Rx
		d.RxOptions = append(d.RxOptions, s)
	}
	d.SortsHTML, d.RxOptionsHTML = optionsHTML(d.Sorts), optionsHTML(d.RxOptions)
	page := func(n int) string {
		q2 := q
		q2.Page = n
		if cat != nil {
			q2.Category = ""
		}
		return path + "?" + q2.Encode()
	}
	if q.Page > 1 && q.Page <= res.Pages+1 {
		d.Prev = page(q.Page - 1)
	}
	if q.Page < res.Pages {
		d.Next = page(q.Page + 1)
	}
	if len(res.Products) == 0 && res.Total > 0 && q.Page > res.Pages {
		d.Last = page(res.Pages)
	}
	d.ClearURL = path
	return d
}

// pageQuery drops an unknown sort from a page's parameters: the page falls
// back to the default order (best match) rather than showing a person the
// API's sort tokens in an error.
func pageQuery(v url.Values) url.Values {
	if s := v.Get("sort"); s != "" && !catalog.ValidSort(s) {
		v.Del("sort")
	}
	return v
}

func toggle(selected bool, v string) string {
	if selected {
		return ""
	}
	return v
}

// card shows one product in a list.
func card(p *catalog.Product) productCard {
	price, cur := p.MinPrice()
	c := productCard{Name: p.Name, URL: "/products/" + url.PathEscape(p.Slug), Summary: p.Summary,
		Price: catalog.FormatPrice(price, cur), InStock: p.InStock(), Rx: p.RequiresPrescription, HSA: p.HSAFSAEligible}
	for _, v := range p.Variants {
		if v.Price != price {
			c.FromPrice = true
		}
	}
	if len(p.Images) > 0 {
		im := p.Images[0]
		c.ImageURL, c.ImageAlt = imageURL(im.SHA256, catalog.SizeThumb), im.Alt
		c.ImageW, c.ImageH = thumbSize(im.Width, im.Height)
	}
	return c
}

// thumbSize scales the large rendition's size to the thumbnail's.
func thumbSize(w, h int) (int, int) {
	const side = 320
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// showCategory renders a category's products: /categories/{slug}, with the
// same search, filters and pages as /products.
func (h *Handlers) showCategory(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		return apperr.NotFoundError()
	}
	v := pageQuery(r.URL.Query())
	v.Del("category")
	q, err := catalog.ParseQuery(v)
	if err != nil {
		return err
	}
	cats, err := h.catalog.Categories(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	for i := range cats {
		if cats[i].Slug == slug {
			q.Category = slug
			return h.renderList(w, r, q, &cats[i])
		}
	}
	return apperr.NotFoundError()
}
