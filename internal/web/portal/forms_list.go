package portal

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// formsData is the patient's forms page.
type formsData struct {
	// Consents are the portal's forms, each with whether it was sent.
	Consents []consentView
	// Sent are the patient's responses, newest first.
	Sent []forms.Answered
	Done string
}

type consentView struct {
	Form *forms.Form
	Sent bool
}

// showForms renders GET /account/forms: the tenant's consents and
// acknowledgements to complete, and every form the patient has sent (opened
// in one audited access; none sent opens nothing).
func (h *Forms) showForms(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	list, err := h.forms.Portal(r.Context(), t.ID)
	if err != nil {
		return err
	}
	sent, err := h.forms.Responses(r.Context(), t.ID, sess.UserID)
	if err != nil {
		return err
	}
	d := formsData{Sent: sent}
	if r.URL.Query().Get("done") == "sent" {
		d.Done = "Sent. Thank you: your answers are kept with your record."
	}
	for i := range list {
		done := slices.ContainsFunc(sent, func(a forms.Answered) bool { return a.FormID == list[i].ID })
		d.Consents = append(d.Consents, consentView{Form: &list[i], Sent: done})
	}
	return h.render(w, r, h.pages.list, http.StatusOK, "Forms", d)
}
