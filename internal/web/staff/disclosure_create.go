package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// create records a disclosure: POST /staff/patients/{id}/disclosures with
// recipient, purpose, sent and date. Bad input shows the form again with
// each field's error and records nothing; a patient this staff member may
// not act for is the same 404 as an unknown one.
func (h *Disclosures) create(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	in := accounting.DisclosureInput{Date: f.Value("date"), Details: accounting.Details{Recipient: f.Value("recipient"),
		Purpose: f.Value("purpose"), Sent: f.Value("sent")}}
	if _, err := h.accounting.RecordDisclosure(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), in); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.render(w, r, status, f)
	}
	http.Redirect(w, r, "/staff/patients/"+r.PathValue("id")+"/disclosures?done=1", http.StatusSeeOther)
	return nil
}
