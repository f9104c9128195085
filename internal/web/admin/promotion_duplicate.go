package admin

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// duplicatePromotion copies a code's rules under a new code, with no uses,
// paused: POST /admin/catalog/promotions/{id}/duplicate with code. A bad or
// taken code shows the page again with the error on the field and stores
// nothing; the copy's page follows.
func (h *Handlers) duplicatePromotion(w http.ResponseWriter, r *http.Request) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	c, err := h.Promotions.Duplicate(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), code)
	if apperr.Is(err, apperr.Invalid) {
		return h.promotionPage(w, r, err, nil, code)
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, promotionPath(c), "duplicated")
}
