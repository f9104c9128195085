package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// amendmentNewData is the form to ask for a correction of one record.
type amendmentNewData struct {
	Kind     amend.Kind
	RecordID string
	Target   amend.Target
	Back     string
	Form     *web.Form
}

// newAmendment renders GET /account/amendments/new?kind=…&record=…: the
// record's fields with what each says now, and the form. Only ids travel
// in the URL. A record the person may not read (another patient's, a held
// result, another tenant's) is the same 404 as one that does not exist.
func (h *Handlers) newAmendment(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return h.amendmentForm(w, r, http.StatusOK, amend.Kind(q.Get("kind")), q.Get("record"), &web.Form{})
}

func (h *Handlers) amendmentForm(w http.ResponseWriter, r *http.Request, status int, kind amend.Kind, recordID string, f *web.Form) error {
	t, err := h.rights.amend.Target(r.Context(), tenant.FromContext(r.Context()).ID, kind, recordID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.rights.pages.amendmentNew, status, "Request a correction",
		amendmentNewData{Kind: kind, RecordID: recordID, Target: t, Back: amend.RecordHref(kind, recordID), Form: f})
}
