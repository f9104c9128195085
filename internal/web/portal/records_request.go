package portal

import (
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestRecords asks for a copy of a record: POST /account/records (with
// "for" for a proxy). The job prepares it; the page shows its progress.
// Asking again while one is being prepared returns to it.
func (h *Rights) requestRecords(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if _, err := web.FormOf(r); err != nil {
		return err
	}
	patient, forID := patientOf(r, sess.UserID)
	if _, err := h.records.Request(r.Context(), tenant.FromContext(r.Context()).ID, patient); err != nil {
		return err
	}
	q := url.Values{"done": {"asked"}}
	if forID != "" {
		q.Set("for", forID)
	}
	http.Redirect(w, r, "/account/records?"+q.Encode(), http.StatusSeeOther)
	return nil
}
