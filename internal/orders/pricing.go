package orders

import (
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/shiptax"
)

// ShippingOption is a shipping method as checkout offers it: its rate when
// it is the same into every zone (Varies false), else Varies (the price
// depends on the state, and the quote says it).
type ShippingOption struct {
	Code, Label string
	Price       int64 // minor units
	// FreeOver, when positive, makes shipping free from this subtotal on.
	FreeOver int64
	// PerKg, when positive, is added for each started kilogram.
	PerKg  int64
	Varies bool
}

// ShippingOptions are the methods of a tenant's settings that have a rate
// into some zone, in the settings' order.
func ShippingOptions(st *shiptax.Settings) []ShippingOption {
	var out []ShippingOption
	for _, m := range st.Shipping.Methods {
		var o *ShippingOption
		for _, r := range st.Shipping.Rates {
			if r.Method != m.Code {
				continue
			}
			if o == nil {
				o = &ShippingOption{Code: m.Code, Label: m.Label, Price: r.Price, FreeOver: r.FreeOver}
				if r.Kind == shiptax.Weight {
					o.PerKg = r.PerKg
				}
				continue
			}
			perKg := int64(0)
			if r.Kind == shiptax.Weight {
				perKg = r.PerKg
			}
			if r.Price != o.Price || r.FreeOver != o.FreeOver || perKg != o.PerKg {
				o.Varies = true
			}
		}
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
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
	// WeightGrams is the items' shipping weight.
	WeightGrams int64
}

// Price quotes lines read from the catalog (never prices from a form) with
// the tenant's shipping and tax settings st (nil: the defaults). Lines of
// withdrawn products, empty carts and mixed currencies are refused, and so
// is a region in no shipping zone or a method without a rate into it. p, if
// not nil, is a promotion code to apply at now.
func Price(lines []cart.Line, methodCode, regionCode string, st *shiptax.Settings, p *promo.Promotion, now time.Time) (*Quote, error) {
	if len(lines) == 0 {
		return nil, apperr.New(apperr.Invalid, "Your cart is empty.")
	}
	if st == nil {
		st = shiptax.Defaults()
	}
	fields := map[string]string{}
	m, ok := st.Shipping.Method(methodCode)
	if !ok {
		fields["shipping"] = "Choose a shipping method."
	}
	rg, ok := st.TaxRegion(regionCode)
	if !ok {
		fields["region"] = "Choose your state."
	}
	var rate shiptax.Rate
	if len(fields) == 0 {
		zone, ok := st.Shipping.ZoneOf(rg.Code)
		switch {
		case !ok:
			fields["region"] = "We do not ship to " + rg.Name + ". Choose another state, or contact us."
		default:
			if rate, ok = st.Shipping.Rate(m.Code, zone.Code); !ok {
				fields["shipping"] = m.Label + " is not offered to " + rg.Name + ". Choose another shipping method."
			}
		}
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
		q.WeightGrams += l.WeightGrams * l.Quantity
		if l.RequiresPrescription {
			q.NeedsRx = true
		}
		// Each region says whether prescription and HSA/FSA-eligible
		// items are taxed there.
		if rg.Taxable(l.RequiresPrescription, l.HSAFSAEligible) {
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
	q.Shipping = rate.Cost(q.Subtotal-q.Discount, q.WeightGrams)
	// Tax rounds half up to the minor unit.
	q.Tax = rg.Tax(taxable)
	q.Total = q.Subtotal - q.Discount + q.Shipping + q.Tax
	return q, nil
}
