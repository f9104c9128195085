package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// deleteShippingMethod removes a shipping method with its rates: POST
// /admin/shipping/methods/{code}/delete.
func (h *Handlers) deleteShippingMethod(w http.ResponseWriter, r *http.Request) error {
	if err := h.ShipTax.DeleteMethod(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("code")); err != nil {
		return h.shipping(w, r, err, "", nil)
	}
	return h.shippingSaved(w, r, "deleted")
}
