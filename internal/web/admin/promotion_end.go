package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// endPromotion stops a code now:
// POST /admin/catalog/promotions/{id}/end. A code that ended already keeps its end; a later last
// day saved on the edit form makes it work again.
func (h *Handlers) endPromotion(w http.ResponseWriter, r *http.Request) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	id := r.PathValue("id")
	if err := h.Promotions.End(r.Context(), tenant.FromContext(r.Context()).ID, id); err != nil {
		return err
	}
	return seeOther(w, r, promotionPath(&promo.Promotion{ID: id}), "ended")
}
