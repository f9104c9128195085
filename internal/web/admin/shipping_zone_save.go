package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveShippingZone adds a zone (a set of regions) or changes one: POST
// /admin/shipping/zones.
func (h *Handlers) saveShippingZone(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.ShipTax.SaveZone(r.Context(), tenant.FromContext(r.Context()).ID, f.Value("code"), f.Value("name"), f.Value("regions")); err != nil {
		return h.shipping(w, r, err, "zone", f)
	}
	return h.shippingSaved(w, r, "saved")
}
