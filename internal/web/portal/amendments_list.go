package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// amendmentsData is the list of a patient's correction requests.
type amendmentsData struct {
	List []*amend.Amendment
	Done string
}

// amendDone are the confirmations chosen by ?done= (fixed texts: nothing
// from the URL is shown).
var amendDone = map[string]string{
	"requested": "Thank you: your request is with our staff. They answer within 60 days, and you can follow it here.",
	"disagreed": "Your statement of disagreement is on file. It now travels with the record.",
}

// listAmendments renders GET /account/amendments: the signed-in patient's
// requests to correct their records, newest first, with their state and
// due date (one audited read).
func (h *Handlers) listAmendments(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	list, err := h.rights.amend.ForPatient(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.rights.pages.amendments, http.StatusOK, "Corrections to your records",
		amendmentsData{List: list, Done: amendDone[r.URL.Query().Get("done")]})
}
