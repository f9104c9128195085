package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// cancelAppointment cancels an appointment within the cancellation window:
// POST /account/appointments/{id}/cancel.
func (h *Handlers) cancelAppointment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.appointments.Cancel(r.Context(), t.ID, sess.UserID, r.PathValue("id")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.appointmentPage(w, r, status, &appointmentData{Form: f})
	}
	http.Redirect(w, r, "/account/appointments", http.StatusSeeOther)
	return nil
}
