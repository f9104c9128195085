package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// responseData is one sent form with its answers.
type responseData struct {
	R     *forms.Answered
	Lines []forms.Line
}

// showResponse renders GET /account/forms/responses/{id}: one of the
// patient's own sent forms, against the version of the form it answered.
func (h *Forms) showResponse(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	a, err := h.forms.Response(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.response, http.StatusOK, a.Form.Title, responseData{R: a, Lines: a.Lines()})
}
