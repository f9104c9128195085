package orders

import (
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/promo"
)

// ShippingMethod is a way to ship with its rate.
type ShippingMethod struct {
	Code, Label string
	Price       int64 // minor units
	// FreeOver, when positive, makes shipping free from this subtotal on.
	FreeOver int64
}

// ShippingMethods are the methods offered at checkout.
var ShippingMethods = []ShippingMethod{
	{Code: "standard", Label: "Standard (3–5 business days)", Price: 499, FreeOver: 5000},
	{Code: "express", Label: "Express (next business day)", Price: 1499},
}

// Region is a tax region with its sales tax rate in basis points.
type Region struct {
	Code, Name string
	RateBP     int64
}

// Regions is the tax rate table. Prescription items are exempt, as they are
// in most US states.
var Regions = []Region{
	{Code: "CA", Name: "California", RateBP: 725},
	{Code: "FL", Name: "Florida", RateBP: 600},
	{Code: "IL", Name: "Illinois", RateBP: 625},
	{Code: "MA", Name: "Massachusetts", RateBP: 625},
	{Code: "NY", Name: "New York", RateBP: 400},
	{Code: "OR", Name: "Oregon", RateBP: 0},
	{Code: "TX", Name: "Texas", RateBP: 625},
	{Code: "WA", Name: "Washington", RateBP: 650},
}

func method(code string) (ShippingMethod, bool) {
	for _, m := range ShippingMethods {
		if m.Code == code {
			return m, true
		}
	}
	return ShippingMethod{}, false
}

func region(code string) (Region, bool) {
	for _, r := range Regions {
		if r.Code == code {
			return r, true
		}
	}
	return Region{}, false
}

// Quote is what an order costs: its items priced from the catalog now,
// shipping and tax.
type Quote struct {
	Items                          []Item
	ShippingMethod, ShippingLabel  string
	Subtotal, Shipping, Tax, Total int64
	// Discount is what a promotion code took off the items.
	Discount  int64
	PromoCode string
	Currency  string
	TaxRegion string
	NeedsRx   bool
}

// Price quotes lines read from the catalog (never prices from a form). Lines
// of withdrawn products, empty carts and mixed currencies are refused. p, if
// not nil, is a promotion code to apply at now.
func Price(lines []cart.Line, methodCode, regionCode string, p *promo.Promotion, now time.Time) (*Quote, error) {
	if len(lines) == 0 {
		return nil, apperr.New(apperr.Invalid, "Your cart is empty.")
	}
	m, ok := method(methodCode)
	fields := map[string]string{}
	if !ok {
		fields["shipping"] = "Choose a shipping method."
	}
	rg, ok := region(regionCode)
	if !ok {
		fields["region"] = "Choose your state."
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	q := &Quote{ShippingMethod: m.Code, ShippingLabel: m.Label, TaxRegion: rg.Code, Currency: lines[0].Currency}
	var taxable int64
	for _, l := range lines {
		if !l.Active {
			return nil, apperr.New(apperr.Invalid, l.Label()+" is no longer for sale. Remove it from your cart.")
		}
		if l.Currency != q.Currency {
			return nil, apperr.New(apperr.Invalid, "A cart holds items of one currency.")
		}
		if l.Quantity < 1 || l.Quantity > cart.MaxQuantity {
			return nil, apperr.New(apperr.Invalid, fmt.Sprintf("Check the quantity of %s.", l.Label()))
		}
		q.Items = append(q.Items, Item{VariantID: l.VariantID, ProductID: l.ProductID, Slug: l.Slug, Name: l.Name,
			VariantName: l.VariantName, SKU: l.SKU, Quantity: l.Quantity, UnitPrice: l.UnitPrice(), RequiresPrescription: l.RequiresPrescription,
			HSAFSAEligible: l.HSAFSAEligible})
		q.Subtotal += l.Total()
		if l.RequiresPrescription {
			q.NeedsRx = true
		} else {
			taxable += l.Total()
		}
	}
	if p != nil {
		var qty int64
		for _, it := range q.Items {
			qty += it.Quantity
		}
		d, err := p.Discount(q.Subtotal, qty, q.Currency, now)
		if err != nil {
			return nil, err
		}
		q.Discount, q.PromoCode = d, p.Code
		// The discount lowers the taxable part in proportion.
		if q.Subtotal > 0 {
			taxable -= d * taxable / q.Subtotal
		}
	}
	q.Shipping = m.Price
	if m.FreeOver > 0 && q.Subtotal-q.Discount >= m.FreeOver {
		q.Shipping = 0
	}
	// Tax rounds half up to the minor unit.
	q.Tax = (taxable*rg.RateBP + 5000) / 10000
	q.Total = q.Subtotal - q.Discount + q.Shipping + q.Tax
	return q, nil
}
