package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveShippingRate sets what a method costs into a zone (flat, by weight,
// free over an amount): POST /admin/shipping/rates.
func (h *Handlers) saveShippingRate(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	in := shiptax.RateInput{Method: f.Value("method"), Zone: f.Value("zone"), Kind: f.Value("kind"), Price: f.Value("price"),
		PerKg: f.Value("per_kg"), FreeOver: f.Value("free_over")}
	if err := h.ShipTax.SaveRate(r.Context(), tenant.FromContext(r.Context()).ID, in); err != nil {
		return h.shipping(w, r, err, "rate", f)
	}
	return h.shippingSaved(w, r, "saved")
}
