package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type variantRow struct {
	ID, SKU, Name, Price, Currency, Stock string
	// Weight is one unit's shipping weight in grams ("" when not given).
	Weight string
	// Row is the row's index in the form; price breaks name it.
	Row int
	// Breaks are the variant's price breaks and blank ones to add, at most
	// catalog.MaxPriceBreaks.
	Breaks []breakRow
}

// breakRow is one volume price in the form: from Qty units, Price each.
type breakRow struct {
	N          int // 1-based, for labels
	Qty, Price string
}

// blankBreaks is how many empty price breaks a variant row offers to fill.
const blankBreaks = 2

func breakRows(bs []catalog.PriceBreak) []breakRow {
	var out []breakRow
	for _, b := range bs {
		out = append(out, breakRow{Qty: strconv.FormatInt(b.MinQuantity, 10), Price: catalog.FormatDecimal(b.UnitPrice)})
	}
	for i := 0; i < blankBreaks && len(out) < catalog.MaxPriceBreaks; i++ {
		out = append(out, breakRow{})
	}
	for i := range out {
		out[i].N = i + 1
	}
	return out
}

type imageRow struct {
	ID, URL, Alt string
}

type productForm struct {
	State      formState
	New        bool
	P          *catalog.Product
	Tags       string
	Variants   []variantRow
	Images     []imageRow
	Categories []catalog.Category
	Statuses   []string
	Action     string
	// Base is where the form's pages are: /admin/catalog/products for this
	// shop's products, /admin/catalog/organisation/products for the
	// organisation's (Org: no shop page of its own, pictures and status
	// are this shop's products' only).
	Base string
	Org  bool
}

// newProduct shows an empty product form: GET /admin/catalog/products/new.
func (h *Handlers) newProduct(w http.ResponseWriter, r *http.Request) error {
	p := &catalog.Product{Status: catalog.StatusDraft, Variants: []catalog.Variant{{Currency: "USD"}}}
	return h.showForm(w, r, p, nil)
}

// editProduct shows a product's form: GET /admin/catalog/products/{id}.
func (h *Handlers) editProduct(w http.ResponseWriter, r *http.Request) error {
	p, err := h.catalog.ProductByID(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.showForm(w, r, p, nil)
}

func (h *Handlers) showForm(w http.ResponseWriter, r *http.Request, p *catalog.Product, err error) error {
	cats, cerr := h.catalog.Categories(r.Context(), tenant.FromContext(r.Context()).ID)
	if cerr != nil {
		return cerr
	}
	return h.productFormPage(w, r, p, err, productForm{Categories: cats, Base: "/admin/catalog/products"})
}

// productFormPage shows the product form of d's place (Base, Org) with its
// categories.
func (h *Handlers) productFormPage(w http.ResponseWriter, r *http.Request, p *catalog.Product, err error, d productForm) error {
	d.State, d.New, d.P, d.Tags, d.Action = stateFrom(r, err), p.ID == "", p, strings.Join(p.Tags, ", "), d.Base
	d.Statuses = []string{catalog.StatusActive, catalog.StatusDraft, catalog.StatusArchived}
	if !d.New {
		d.Action += "/" + p.ID
	}
	for _, v := range p.Variants {
		price := ""
		if v.SKU != "" || v.Price != 0 {
			price = catalog.FormatDecimal(v.Price)
		}
		d.Variants = append(d.Variants, variantRow{ID: v.ID, SKU: v.SKU, Name: v.Name, Price: price,
			Currency: v.Currency, Stock: strconv.FormatInt(v.Stock, 10), Weight: weightText(v.WeightGrams), Breaks: breakRows(v.PriceBreaks)})
	}
	// Two blank rows to add variants without a script.
	d.Variants = append(d.Variants, variantRow{Currency: "USD", Breaks: breakRows(nil)}, variantRow{Currency: "USD", Breaks: breakRows(nil)})
	for i := range d.Variants {
		d.Variants[i].Row = i
	}
	for _, im := range p.Images {
		d.Images = append(d.Images, imageRow{ID: im.ID, URL: web.ImageURL(im.SHA256, catalog.SizeThumb), Alt: im.Alt})
	}
	title := "New product"
	if !d.New {
		title = "Edit " + p.Name
	}
	return h.render(w, r, h.product, title, d, err)
}

// saveProduct creates (POST /admin/catalog/products) or updates (POST
// /admin/catalog/products/{id}) a product with its variants and stock.
func (h *Handlers) saveProduct(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	if err := r.ParseForm(); err != nil {
		return err
	}
	p := &catalog.Product{}
	var old *catalog.Product
	if pid := r.PathValue("id"); pid != "" {
		var err error
		if old, err = h.catalog.ProductByID(ctx, t.ID, pid); err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.Images = old.ID, old.CreatedAt, old.Images
	}
	bad := productFromForm(r.PostForm, p)
	keepVariantIDs(p, old)
	var err error
	if len(bad) > 0 {
		err = invalidVariants(bad)
	} else {
		err = h.catalog.SaveProduct(ctx, t.ID, p)
	}
	if err != nil {
		return h.showForm(w, r, p, err)
	}
	return seeOther(w, r, "/admin/catalog/products/"+p.ID, "saved")
}

// keepVariantIDs clears the ids of p's variants that are not old's (nil:
// all), so a forged id in a form cannot move another product's variant.
func keepVariantIDs(p, old *catalog.Product) {
	own := map[string]bool{}
	if old != nil {
		for _, v := range old.Variants {
			own[v.ID] = true
		}
	}
	for i := range p.Variants {
		if !own[p.Variants[i].ID] {
			p.Variants[i].ID = ""
		}
	}
}

// productFromForm fills p from a product form and returns the mistakes of
// syntax found, as lines for invalidVariants.
func productFromForm(f url.Values, p *catalog.Product) []string {
	p.Name, p.Slug, p.Brand, p.Summary = f.Get("name"), f.Get("slug"), f.Get("brand"), f.Get("summary")
	p.Description, p.Status, p.CategoryID = f.Get("description"), f.Get("status"), f.Get("category")
	p.Tags = strings.Split(f.Get("tags"), ",")
	p.RequiresPrescription = f.Get("requires_prescription") == "1"
	p.HSAFSAEligible = f.Get("hsa_fsa_eligible") == "1"
	breaks, bad := formBreaks(f)
	skus, names, prices, curs, stocks, ids := f["variant_sku"], f["variant_name"], f["variant_price"], f["variant_currency"], f["variant_stock"], f["variant_id"]
	weights := f["variant_weight"]
	for i := range skus {
		at := func(xs []string) string {
			if i < len(xs) {
				return strings.TrimSpace(xs[i])
			}
			return ""
		}
		if at(skus) == "" && at(prices) == "" && at(names) == "" {
			continue // a blank row
		}
		v := catalog.Variant{ID: at(ids), SKU: at(skus), Name: at(names), Currency: at(curs)}
		price, err := catalog.ParsePrice(at(prices))
		if err != nil {
			bad = append(bad, "variant "+strconv.Itoa(i+1)+": the price must be a number such as 12.99")
		}
		v.Price = price
		if s := at(stocks); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				bad = append(bad, "variant "+strconv.Itoa(i+1)+": the stock must be a whole number")
			}
			v.Stock = n
		}
		if w := at(weights); w != "" {
			n, err := strconv.ParseInt(w, 10, 64)
			if err != nil || n < 0 || n > maxWeightGrams {
				bad = append(bad, "variant "+strconv.Itoa(i+1)+": the weight must be a whole number of grams, such as 250")
			}
			v.WeightGrams = n
		}
		v.PriceBreaks = breaks[i]
		p.Variants = append(p.Variants, v)
	}
	return bad
}

// formBreaks reads the price breaks of the form by variant row: each break is
// a triple break_row (the variant row's index), break_qty and break_price; a
// break with neither quantity nor price is left out (that is how one is
// removed). Mistakes of syntax come back as lines for invalidVariants; the
// rules (quantity 2 or more, price below the variant's and going down) are
// catalog.ValidatePriceBreaks', checked when the product is saved.
func formBreaks(f url.Values) (map[int][]catalog.PriceBreak, []string) {
	rows, qtys, prices := f["break_row"], f["break_qty"], f["break_price"]
	out := map[int][]catalog.PriceBreak{}
	var bad []string
	for k := range rows {
		at := func(xs []string) string {
			if k < len(xs) {
				return strings.TrimSpace(xs[k])
			}
			return ""
		}
		q, pr := at(qtys), at(prices)
		if q == "" && pr == "" {
			continue
		}
		row, err := strconv.Atoi(at(rows))
		if err != nil || row < 0 || row > catalog.MaxVariants+2 {
			bad = append(bad, "price breaks: the form is out of date; reload the page")
			continue
		}
		key := "variant " + strconv.Itoa(row+1) + " price breaks"
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			bad = append(bad, key+": the quantity must be a whole number such as 3")
			continue
		}
		price, err := catalog.ParsePrice(pr)
		if err != nil {
			bad = append(bad, key+": the price must be a number such as 8.99")
			continue
		}
		out[row] = append(out[row], catalog.PriceBreak{MinQuantity: n, UnitPrice: price})
	}
	return out, bad
}

// maxWeightGrams bounds a variant's weight (1,000 kg): more is a typo.
const maxWeightGrams = 1_000_000

// weightText is a weight for the form: empty when not given.
func weightText(g int64) string {
	if g == 0 {
		return ""
	}
	return strconv.FormatInt(g, 10)
}
