package api

import (
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/web"
)

// Commerce serves the cart and the signed-in patient's orders as JSON, and
// receives the payment gateway's events.
type Commerce struct {
	carts   *cart.Service
	cookies web.CartCookies
	orders  *orders.Service // nil in a storefront process: no order routes
}

// NewCommerce returns the cart and order API; ord may be nil.
func NewCommerce(carts *cart.Service, cookies web.CartCookies, ord *orders.Service) *Commerce {
	return &Commerce{carts: carts, cookies: cookies, orders: ord}
}

// Routes registers the cart routes (public: a cart belongs to a browser, its
// token in the same cookie as the pages use) and, with PHI, the order routes
// (a signed-in patient, or a personal token) and the payment gateway's webhook.
func (c *Commerce) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /api/v1/cart", described(c.showCart), httpx.JSON())
	rt.Handle(access.Public, "POST /api/v1/cart/items", described(c.addCartItem), httpx.JSON())
	if c.orders != nil {
		// Class API: a signed-in patient's session, or a personal token with
		// orders:read (api.TokenGuard).
		patients := httpx.Roles(access.RolePatient)
		scope := httpx.Scope(string(apitokens.OrdersRead))
		rt.Handle(access.API, "GET /api/v1/orders", described(c.listOrders), httpx.JSON(), patients, scope)
		rt.Handle(access.API, "GET /api/v1/orders/{id}", described(c.showOrder), httpx.JSON(), patients, scope)
		// Stripe's events: public, trusted only by their signature (checked
		// in orders.PaymentEvent); small, so a small body limit.
		rt.Handle(access.Public, "POST /webhooks/stripe", c.stripeWebhook, httpx.JSON(), httpx.MaxBody(256<<10))
	}
}

// CartLine is a line of the cart.
type CartLine struct {
	VariantID            string `json:"variant_id"`
	ProductSlug          string `json:"product_slug"`
	Name                 string `json:"name"`
	SKU                  string `json:"sku"`
	Quantity             int64  `json:"quantity"`
	UnitPrice            Money  `json:"unit_price"`
	Total                Money  `json:"total"`
	RequiresPrescription bool   `json:"requires_prescription"`
	Available            bool   `json:"available"`
}

// Cart is the browser's cart.
type Cart struct {
	Lines    []CartLine `json:"lines"`
	Count    int64      `json:"count"`
	Subtotal Money      `json:"subtotal"`
}

func cartJSON(c *cart.Cart) Cart {
	out := Cart{Lines: []CartLine{}, Count: c.Count, Subtotal: Money{Amount: c.Subtotal, Currency: c.Currency}}
	if out.Subtotal.Currency == "" {
		out.Subtotal.Currency = "USD"
	}
	for _, l := range c.Lines {
		out.Lines = append(out.Lines, CartLine{VariantID: l.VariantID, ProductSlug: l.Slug, Name: l.Label(), SKU: l.SKU, Quantity: l.Quantity,
			UnitPrice: Money{l.UnitPrice(), l.Currency}, Total: Money{l.Total(), l.Currency}, RequiresPrescription: l.RequiresPrescription, Available: l.Active})
	}
	return out
}

// OrderItem is a line of an order, at the price it was sold.
type OrderItem struct {
	VariantID string `json:"variant_id"`
	Name      string `json:"name"`
	SKU       string `json:"sku"`
	Quantity  int64  `json:"quantity"`
	UnitPrice Money  `json:"unit_price"`
}

// OrderSummary is an order in a list.
type OrderSummary struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Status    string    `json:"status"`
	Total     Money     `json:"total"`
	CreatedAt time.Time `json:"created_at"`
}

// Order is one order with its items and totals.
type Order struct {
	OrderSummary
	Items    []OrderItem `json:"items"`
	Subtotal Money       `json:"subtotal"`
	Discount Money       `json:"discount"`
	Shipping Money       `json:"shipping"`
	Tax      Money       `json:"tax"`
	ShipTo   Address     `json:"ship_to"`
}

// Address is a shipping address.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
}

func orderSummary(o *orders.Order) OrderSummary {
	return OrderSummary{ID: o.ID, Reference: o.Reference, Status: string(o.Status), Total: Money{o.Total, o.Currency}, CreatedAt: o.CreatedAt}
}
