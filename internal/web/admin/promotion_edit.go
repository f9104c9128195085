package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// promotionData is the page of one promotion code: what it is, its uses and
// the discount they gave, and the forms to pause, end, edit and duplicate it.
type promotionData struct {
	View   promotionView
	Paused bool
	State  formState
	// Values fill the edit form (the promotion's rules, or what was typed
	// when a save failed); new_code is the duplicate form's field.
	Values map[string]string
}

// editPromotion shows one code: GET /admin/catalog/promotions/{id}. Another
// tenant's and an unknown id are the plain 404.
func (h *Handlers) editPromotion(w http.ResponseWriter, r *http.Request) error {
	return h.promotionPage(w, r, nil, nil, "")
}

// promotionPage renders the code's page with err (an Invalid error shows its
// fields, 400), values as typed (nil: the stored rules) and the duplicate
// form's code as typed.
func (h *Handlers) promotionPage(w http.ResponseWriter, r *http.Request, err error, values map[string]string, newCode string) error {
	if h.Promotions == nil {
		return apperr.NotFoundError()
	}
	p, gerr := h.Promotions.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if gerr != nil {
		return gerr
	}
	if values == nil {
		values = promotionValues(p)
	}
	values["new_code"] = newCode
	d := promotionData{View: h.promotionViewOf(p, h.Promotions.Now()), Paused: p.Paused, State: stateFrom(r, err), Values: values}
	return h.render(w, r, h.promotion, "Promotion "+p.Code, d, err)
}

// promotionPath is the code's page; id is a stored promotion's id.
func promotionPath(p *promo.Promotion) string { return "/admin/catalog/promotions/" + p.ID }
