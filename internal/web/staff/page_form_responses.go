package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
)

// pageResponsesData is the responses to a landing-page form.
type pageResponsesData struct {
	Form *forms.Form
	Sent []forms.Answered
	Max  int
}

// showPageResponses renders GET /staff/forms/{id}/responses: what visitors
// sent through a landing page's form (a contact or sign-up form), newest
// first, for the staff whose role reads the form's data class; anyone
// else, and a form that is not on a landing page, gets the plain 404 (the
// denial audited). One audited vault access opens them.
func (h *Forms) showPageResponses(w http.ResponseWriter, r *http.Request) error {
	f, sent, err := h.forms.PageResponses(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.pageResponses, http.StatusOK, "Responses: "+f.Title, pageResponsesData{Form: f, Sent: sent, Max: forms.MaxPageResponses})
}
