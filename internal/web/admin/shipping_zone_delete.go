package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// deleteShippingZone removes a zone with its rates (its regions can then
// not be shipped to): POST /admin/shipping/zones/{code}/delete.
func (h *Handlers) deleteShippingZone(w http.ResponseWriter, r *http.Request) error {
	if err := h.ShipTax.DeleteZone(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("code")); err != nil {
		return h.shipping(w, r, err, "", nil)
	}
	return h.shippingSaved(w, r, "deleted")
}
