package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// rescheduleAppointment moves an appointment to another free time:
// POST /account/appointments/{id}/reschedule (slot). The checks of a
// booking, and the cancellation window.
func (h *Handlers) rescheduleAppointment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	err = func() error {
		clinician, location, start, err := appointments.ParseSlot(f.Value("slot"))
		if err != nil {
			return err
		}
		return h.appointments.Reschedule(r.Context(), t.ID, sess.UserID, r.PathValue("id"), clinician, location, start)
	}()
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.appointmentPage(w, r, status, &appointmentData{Form: f})
	}
	// The id was just found among the patient's own appointments (an id of
	// hex and dashes), under a fixed prefix: this cannot leave the site.
	http.Redirect(w, r, "/account/appointments/"+r.PathValue("id")+"?booked=2", http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
