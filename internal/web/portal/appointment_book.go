package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// bookAppointment books a free time: POST /account/appointments (type,
// slot, reason). A time that has passed, is outside hours or was just
// taken shows the form again with the error and the free times as they
// are now; nothing is booked.
func (h *Handlers) bookAppointment(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	a, err := func() (appointments.Appointment, error) {
		clinician, location, start, err := appointments.ParseSlot(f.Value("slot"))
		if err != nil {
			return appointments.Appointment{}, err
		}
		return h.appointments.Book(r.Context(), t.ID, sess.UserID, appointments.Booking{TypeID: f.Value("type"), ClinicianID: clinician,
			LocationID: location, Start: start, Reason: f.Value("reason")})
	}()
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.bookPage(w, r, status, f)
	}
	http.Redirect(w, r, "/account/appointments/"+a.ID+"?booked=1", http.StatusSeeOther)
	return nil
}
