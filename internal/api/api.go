// Package api is the surface of programs: the JSON API under /api/v1 for
// apps and integrations (products: list, search, detail; the cart; a
// patient's orders, lists and lab results, for a session or an API token:
// see TokenGuard) and the webhooks that outside services call
// (POST /webhooks/stripe). The OpenAPI 3.1 document that describes /api/v1 is
// openapi.json beside this file; the tests check every response against it.
// A webhook's body is its sender's format, not ours, so it is not described
// there.
package api

import (
	_ "embed" // the OpenAPI document
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openAPI }

// Handlers serves the API.
type Handlers struct {
	catalog *catalog.Service
	cache   *web.Cache
	// jsonSize is the size of the last document that wrote its own JSON:
	// the next one's buffer starts there rather than doubling its way up.
	jsonSize atomic.Int64
}

// New returns the API handlers.
func New(svc *catalog.Service, cache *web.Cache) *Handlers {
	return &Handlers{catalog: svc, cache: cache}
}

// serveCached serves public JSON from the cache, keyed by tenant, catalog
// version and the canonical request; build makes the document on a miss.
func (h *Handlers) serveCached(w http.ResponseWriter, r *http.Request, key string, build func() (any, error)) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	ver, err := h.catalog.Version(ctx, t.ID)
	if err != nil {
		return err
	}
	full := "api|" + t.ID + "|" + strconv.FormatInt(ver, 10) + "|" + key
	e := h.cache.Get(full)
	if e == nil {
		v, err := build()
		if err != nil {
			return err
		}
		var b []byte
		if aj, ok := v.(appendJSON); ok {
			b = aj.AppendJSON(make([]byte, 0, h.jsonSize.Load()+1024))
			h.jsonSize.Store(int64(len(b)))
		} else if b, err = json.Marshal(v); err != nil {
			return apperr.Internalf("encode json: %w", err)
		}
		e = &web.Entry{Status: http.StatusOK, ContentType: "application/json", Head: append(b, '\n')}
		h.cache.Put(full, e)
	}
	return e.WriteJSON(w, r)
}

// Money is an amount in minor units.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// ProductSummary is a product in a list.
type ProductSummary struct {
	ID                   string        `json:"id"`
	Slug                 string        `json:"slug"`
	Name                 string        `json:"name"`
	Brand                string        `json:"brand"`
	Summary              string        `json:"summary"`
	Category             *CategoryRef  `json:"category"`
	Tags                 []string      `json:"tags"`
	RequiresPrescription bool          `json:"requires_prescription"`
	HSAFSAEligible       bool          `json:"hsa_fsa_eligible"`
	InStock              bool          `json:"in_stock"`
	Price                Money         `json:"price"`
	Images               []ImageJSON   `json:"images"`
	Variants             []VariantJSON `json:"variants"`
	URL                  string        `json:"url"`
}

// Product is a product with its description.
type Product struct {
	ProductSummary
	DescriptionHTML string `json:"description_html"`
}

// CategoryRef names a category.
type CategoryRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// ImageJSON is a product image.
type ImageJSON struct {
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
	Alt      string `json:"alt"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

// VariantJSON is a buyable variant. Its stock is shown as a level
// (in_stock, low_stock), never as a count: why, exact inventory is the
// shop's business, and a level changes rarely enough that selling a unit
// does not invalidate the cached documents (see catalog.Availability).
type VariantJSON struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Price    Money  `json:"price"`
	InStock  bool   `json:"in_stock"`
	LowStock bool   `json:"low_stock"`
	// PriceBreaks are the volume prices, by quantity (may be empty).
	PriceBreaks []PriceBreakJSON `json:"price_breaks"`
}

// PriceBreakJSON is a volume price: from min_quantity units on one line,
// each costs unit_price.
type PriceBreakJSON struct {
	MinQuantity int64 `json:"min_quantity"`
	UnitPrice   Money `json:"unit_price"`
}

func summary(p *catalog.Product, cats map[string]catalog.Category) ProductSummary {
	price, cur := p.MinPrice()
	s := ProductSummary{ID: p.ID, Slug: p.Slug, Name: p.Name, Brand: p.Brand, Summary: p.Summary, Tags: p.Tags,
		RequiresPrescription: p.RequiresPrescription, HSAFSAEligible: p.HSAFSAEligible, InStock: p.InStock(),
		Price: Money{price, cur}, Images: []ImageJSON{}, Variants: []VariantJSON{}, URL: "/products/" + p.Slug}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	if c, ok := cats[p.CategoryID]; ok {
		s.Category = &CategoryRef{Slug: c.Slug, Name: c.Name}
	}
	for _, im := range p.Images {
		s.Images = append(s.Images, ImageJSON{URL: web.ImageURL(im.SHA256, catalog.SizeLarge),
			ThumbURL: web.ImageURL(im.SHA256, catalog.SizeThumb), Alt: im.Alt, Width: im.Width, Height: im.Height})
	}
	for _, v := range p.Variants {
		lvl := catalog.AvailabilityOf(v.Stock)
		vj := VariantJSON{ID: v.ID, SKU: v.SKU, Name: v.Name, Price: Money{v.Price, v.Currency},
			InStock: lvl != catalog.OutOfStock, LowStock: lvl == catalog.LowOnStock, PriceBreaks: []PriceBreakJSON{}}
		for _, b := range v.PriceBreaks {
			vj.PriceBreaks = append(vj.PriceBreaks, PriceBreakJSON{MinQuantity: b.MinQuantity, UnitPrice: Money{b.UnitPrice, v.Currency}})
		}
		s.Variants = append(s.Variants, vj)
	}
	return s
}

func categoryMap(cats []catalog.Category) map[string]catalog.Category {
	m := make(map[string]catalog.Category, len(cats))
	for _, c := range cats {
		m[c.ID] = c
	}
	return m
}
