package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type appointmentsData struct {
	Upcoming, Past []apptView
	Types          []appointments.Type
	Form           *web.Form
	// Window is the cancellation window in words ("24 hours").
	Window string
}

// showAppointments lists the patient's upcoming and past appointments and
// the kinds they may book: GET /account/appointments (one audited read).
func (h *Handlers) showAppointments(w http.ResponseWriter, r *http.Request) error {
	return h.appointmentsPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) appointmentsPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	up, past, err := h.appointments.ForPatient(r.Context(), t.ID, sess.UserID)
	if err != nil {
		return err
	}
	types, err := h.appointments.Types(r.Context(), t.ID)
	if err != nil {
		return err
	}
	win, err := h.appointments.CancelWindow(r.Context(), t.ID)
	if err != nil {
		return err
	}
	d := appointmentsData{Form: f, Window: windowText(win)}
	for _, ty := range types {
		if ty.Active {
			d.Types = append(d.Types, ty)
		}
	}
	for _, a := range up {
		d.Upcoming = append(d.Upcoming, apptOf(a))
	}
	for _, a := range past {
		d.Past = append(d.Past, apptOf(a))
	}
	return h.render(w, r, h.pages.appointments, status, "Your appointments", d)
}
