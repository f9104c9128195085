package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveShippingMethod adds a shipping method or renames one: POST
// /admin/shipping/methods. A refused save changes nothing and shows the
// form again with the reason per field.
func (h *Handlers) saveShippingMethod(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.ShipTax.SaveMethod(r.Context(), tenant.FromContext(r.Context()).ID, f.Value("code"), f.Value("label")); err != nil {
		return h.shipping(w, r, err, "method", f)
	}
	return h.shippingSaved(w, r, "saved")
}
