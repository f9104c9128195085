package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// showOrder answers GET /api/v1/orders/{id}: one of the patient's orders
// (audited); anyone else's, or an unknown id, is the same 404 problem.
func (c *Commerce) showOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := c.orders.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ownOnly(r, o.UserID); err != nil {
		return err
	}
	out := Order{OrderSummary: orderSummary(o), Items: []OrderItem{}, Subtotal: Money{o.Subtotal, o.Currency},
		Discount: Money{o.Discount, o.Currency}, Shipping: Money{o.Shipping, o.Currency}, Tax: Money{o.Tax, o.Currency},
		ShipTo: Address(o.Address)}
	for _, it := range o.Items {
		out.Items = append(out.Items, OrderItem{VariantID: it.VariantID, Name: it.Label(), SKU: it.SKU, Quantity: it.Quantity,
			UnitPrice: Money{it.UnitPrice, o.Currency}})
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
