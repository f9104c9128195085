package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// pausePromotion stops a code working until it is resumed:
// POST /admin/catalog/promotions/{id}/pause. Pausing twice is the same as once.
func (h *Handlers) pausePromotion(w http.ResponseWriter, r *http.Request) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	id := r.PathValue("id")
	if err := h.Promotions.Pause(r.Context(), tenant.FromContext(r.Context()).ID, id); err != nil {
		return err
	}
	return seeOther(w, r, promotionPath(&promo.Promotion{ID: id}), "paused")
}
