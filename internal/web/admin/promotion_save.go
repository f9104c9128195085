package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// savePromotion saves a code's rules: POST /admin/catalog/promotions/{id}.
// The code itself is not changed (buyers were given it); bad input shows the
// page again with its fields and saves nothing.
func (h *Handlers) savePromotion(w http.ResponseWriter, r *http.Request) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	old, err := h.Promotions.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	values, p, fields := readPromotionForm(r)
	values["code"] = old.Code
	p.ID, p.TenantID, p.Code = old.ID, old.TenantID, old.Code
	if len(fields) > 0 {
		return h.promotionPage(w, r, apperr.InvalidFields("Check the highlighted fields.", fields), values, "")
	}
	if err := h.Promotions.Update(r.Context(), p); err != nil {
		return h.promotionPage(w, r, err, values, "")
	}
	return seeOther(w, r, promotionPath(p), "saved")
}
