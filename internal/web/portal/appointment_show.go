package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type appointmentData struct {
	Appt apptView
	Days []slotDay
	Form *web.Form
	// Done says what just happened (booked, moved), from the redirect;
	// DoneKey names it for the page ("booked", "moved").
	Done, DoneKey string
	Window        string
}

// showAppointment shows one of the patient's appointments with the times
// it may move to and the cancel button, while the cancellation window
// allows: GET /account/appointments/{id}. Anyone else's is the 404 of a
// missing one.
func (h *Handlers) showAppointment(w http.ResponseWriter, r *http.Request) error {
	d := &appointmentData{Form: &web.Form{}}
	switch r.URL.Query().Get("booked") {
	case "1":
		d.Done, d.DoneKey = "Your appointment is booked. We sent a confirmation with a calendar file to your email address.", "booked"
	case "2":
		d.Done, d.DoneKey = "Your appointment has moved. We sent the new time to your email address.", "moved"
	}
	return h.appointmentPage(w, r, http.StatusOK, d)
}

func (h *Handlers) appointmentPage(w http.ResponseWriter, r *http.Request, status int, d *appointmentData) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	a, slots, err := h.appointments.RescheduleSlots(r.Context(), t.ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	win, err := h.appointments.CancelWindow(r.Context(), t.ID)
	if err != nil {
		return err
	}
	d.Appt, d.Days, d.Window = apptOf(a), slotDays(slots, d.Form.Value("slot")), windowText(win)
	return h.render(w, r, h.pages.appointment, status, "Your appointment", d)
}
