package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// resumePromotion lets a paused code work again within its dates and limit:
// POST /admin/catalog/promotions/{id}/resume. Resuming twice is the same as once.
func (h *Handlers) resumePromotion(w http.ResponseWriter, r *http.Request) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	id := r.PathValue("id")
	if err := h.Promotions.Resume(r.Context(), tenant.FromContext(r.Context()).ID, id); err != nil {
		return err
	}
	return seeOther(w, r, promotionPath(&promo.Promotion{ID: id}), "resumed")
}
