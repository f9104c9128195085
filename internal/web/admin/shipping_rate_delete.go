package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// deleteShippingRate removes what a method costs into a zone (the method
// is then not offered there): POST /admin/shipping/rates/{method}/{zone}/delete.
func (h *Handlers) deleteShippingRate(w http.ResponseWriter, r *http.Request) error {
	if err := h.ShipTax.DeleteRate(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("method"), r.PathValue("zone")); err != nil {
		return h.shipping(w, r, err, "", nil)
	}
	return h.shippingSaved(w, r, "deleted")
}
