package api

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// listOrders answers GET /api/v1/orders: the signed-in patient's orders,
// newest first (one audited access), for a session or a personal token
// with orders:read.
func (c *Commerce) listOrders(w http.ResponseWriter, r *http.Request) error {
	who, err := requester(r)
	if err != nil {
		return err
	}
	list, err := c.orders.List(r.Context(), tenant.FromContext(r.Context()).ID, who.ID)
	if err != nil {
		return err
	}
	out := struct {
		Orders []OrderSummary `json:"orders"`
	}{Orders: []OrderSummary{}}
	for _, o := range list {
		out.Orders = append(out.Orders, orderSummary(o))
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, out)
}
