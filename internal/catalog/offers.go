package catalog

import (
	"context"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
)

// Offer is one product of an organisation's shared catalog as a brand of the
// organisation sees it: whether the brand sells it and at what price.
type Offer struct {
	// Product is the organisation's product: its fields, the organisation's
	// prices, and the shared stock. Its CategoryID is a category slug, the
	// brand's category of that slug if it has one.
	Product *Product
	// Chosen: the brand sells it.
	Chosen bool
	// Prices are the brand's own prices by organisation variant id; a variant
	// not here sells at the organisation's price.
	Prices map[string]int64
	// OwnStock is the brand's own stock count by organisation variant id; a
	// variant not here sells the organisation's (shared) stock.
	OwnStock map[string]int64
}

// BrandPrice is what the brand charges for one unit of an organisation
// variant, and whether that is the brand's own price.
func (o *Offer) BrandPrice(v *Variant) (int64, bool) {
	if p, ok := o.Prices[v.ID]; ok {
		return p, true
	}
	return v.Price, false
}

// OfferStore keeps brands' choices of their organisation's products
// (internal/store.OrgCatalogRepo).
type OfferStore interface {
	// Offers returns every product of the brand's organisation (none when it
	// has no organisation) with the brand's choice and prices, by name.
	Offers(ctx context.Context, brandID string) ([]*Offer, error)
	// Choose makes the brand sell an organisation product or stop selling
	// it, in one transaction that also writes the brand's copy (see
	// BrandCopy) and bumps the brand's catalog version.
	Choose(ctx context.Context, brandID, orgProductID string, chosen bool, now time.Time) error
	// SetPrice sets the brand's price of an organisation variant (price < 0:
	// back to the organisation's), and writes the brand's copy likewise.
	SetPrice(ctx context.Context, brandID, orgVariantID string, price int64, now time.Time) error
	// SetOwnStock switches the brand's copy of an organisation variant to
	// its own stock of count units (count < 0: back to the organisation's
	// shared stock), in one transaction that bumps the brand's catalog
	// version. A variant the brand has no copy of (never chosen) is
	// refused.
	SetOwnStock(ctx context.Context, brandID, orgVariantID string, count int64, now time.Time) error
}

// Offers returns the brand's view of its organisation's catalog.
func (s *Service) Offers(ctx context.Context, st OfferStore, brandID string) ([]*Offer, error) {
	return st.Offers(ctx, brandID)
}

// Choose sells (or stops selling) an organisation product in a brand.
func (s *Service) Choose(ctx context.Context, st OfferStore, brandID, orgProductID string, chosen bool) error {
	if !id.Valid(orgProductID) {
		return apperr.NotFoundError()
	}
	return s.changed(ctx, brandID, st.Choose(ctx, brandID, orgProductID, chosen, s.clock.Now()))
}

// ParseBrandPrice reads a brand's price as typed ("12.50"); empty is -1,
// the organisation's price.
func ParseBrandPrice(price string) (int64, error) {
	if price == "" {
		return -1, nil
	}
	v, err := ParsePrice(price)
	if err != nil || v < 0 || v > MaxPrice {
		return 0, apperr.InvalidFields("Check the price.", map[string]string{"price": "Give a price such as 12.50, or leave it empty for the organisation's price."})
	}
	return v, nil
}

// SetPrice sets a brand's own price for an organisation variant in minor
// units (< 0: the organisation's price again).
func (s *Service) SetPrice(ctx context.Context, st OfferStore, brandID, orgVariantID string, price int64) error {
	if !id.Valid(orgVariantID) {
		return apperr.NotFoundError()
	}
	return s.changed(ctx, brandID, st.SetPrice(ctx, brandID, orgVariantID, price, s.clock.Now()))
}

// ParseOwnStock reads a brand's own stock count as typed ("12"); empty is
// -1, the organisation's shared stock.
func ParseOwnStock(count string) (int64, error) {
	if count == "" {
		return -1, nil
	}
	v, err := strconv.ParseInt(count, 10, 64)
	if err != nil || v < 0 || v > MaxStock {
		return 0, apperr.InvalidFields("Check the stock.", map[string]string{"stock": "Give a whole number of units, 0 or more, or leave it empty to sell the organisation's stock."})
	}
	return v, nil
}

// SetOwnStock switches a brand's copy of an organisation variant to its own
// stock (count >= 0) or back to the shared stock (count < 0).
func (s *Service) SetOwnStock(ctx context.Context, st OfferStore, brandID, orgVariantID string, count int64) error {
	if !id.Valid(orgVariantID) {
		return apperr.NotFoundError()
	}
	return s.changed(ctx, brandID, st.SetOwnStock(ctx, brandID, orgVariantID, count, s.clock.Now()))
}

// BrandCopy is what a brand sells of an organisation product: the
// organisation's fields and stock, the brand's prices, status active only
// while the brand chooses it (archived otherwise, so carts and orders keep
// its ids), in the brand's category of the product's category slug
// (categoryID, empty for none). old is the brand's current copy (nil for a
// first choice): its product and variant ids (matched by SKU) and images are
// kept. Volume prices below the brand's price are kept; those at or above it
// would make buying more cost more per unit, so they are dropped.
func BrandCopy(org *Product, o *Offer, brandID, categoryID string, old *Product, now time.Time) *Product {
	p := &Product{TenantID: brandID, Slug: org.Slug, Name: org.Name, Brand: org.Brand, Summary: org.Summary,
		Description: org.Description, DescriptionHTML: org.DescriptionHTML, CategoryID: categoryID, Tags: org.Tags,
		RequiresPrescription: org.RequiresPrescription, HSAFSAEligible: org.HSAFSAEligible,
		Status: StatusArchived, CreatedAt: now, UpdatedAt: now}
	if o.Chosen {
		p.Status = org.Status
	}
	oldVariant := map[string]string{}
	if old != nil {
		p.ID, p.CreatedAt, p.Images = old.ID, old.CreatedAt, old.Images
		for _, v := range old.Variants {
			oldVariant[v.SKU] = v.ID
		}
	} else {
		p.ID = id.NewAt(now)
	}
	for _, v := range org.Variants {
		price, _ := o.BrandPrice(&v)
		c := Variant{ID: oldVariant[v.SKU], ProductID: p.ID, SKU: v.SKU, Name: v.Name, Price: price, Currency: v.Currency,
			Stock: v.Stock, Position: v.Position, WeightGrams: v.WeightGrams}
		if own, ok := o.OwnStock[v.ID]; ok {
			c.Stock = own
		}
		if c.ID == "" {
			c.ID = id.NewAt(now)
		}
		last := price
		for _, b := range v.PriceBreaks {
			if b.UnitPrice < last {
				c.PriceBreaks = append(c.PriceBreaks, b)
				last = b.UnitPrice
			}
		}
		p.Variants = append(p.Variants, c)
	}
	return p
}
