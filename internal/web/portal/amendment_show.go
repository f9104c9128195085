package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// amendmentData is one request as its patient (or proxy) reads it.
type amendmentData struct {
	A    *amend.Amendment
	Form *web.Form
	Done string
}

// showAmendment renders GET /account/amendments/{id}: what was asked, the
// clock, the decision, and after a denial the form for a statement of
// disagreement. Another patient's request (without a proxy grant of its
// record's class), another tenant's and an unknown id are the same 404.
func (h *Handlers) showAmendment(w http.ResponseWriter, r *http.Request) error {
	return h.amendmentPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) amendmentPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	a, err := h.rights.amend.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, h.rights.pages.amendment, status, "Your correction request",
		amendmentData{A: a, Form: f, Done: amendDone[r.URL.Query().Get("done")]})
}
