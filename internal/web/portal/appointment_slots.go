package portal

import (
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type bookData struct {
	Type appointments.Type
	Days []slotDay
	Form *web.Form
}

// windowText is a cancellation window in words.
func windowText(d time.Duration) string {
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "1 hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return strconv.Itoa(int(d/time.Minute)) + " minutes"
}

// showSlots shows the free times of a kind of appointment to choose from:
// POST /account/appointments/slots (type). Why a POST: the kind of
// appointment someone considers is health information, and a GET would put
// it in the URL (history, logs, referrers).
func (h *Handlers) showSlots(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	return h.bookPage(w, r, http.StatusOK, f)
}

func (h *Handlers) bookPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	typ, slots, err := h.appointments.Slots(r.Context(), t.ID, f.Value("type"))
	if err != nil {
		if st, err := f.Fail(err); err == nil {
			return h.appointmentsPage(w, r, st, f)
		}
		return err
	}
	return h.render(w, r, h.pages.book, status, "Book an appointment", bookData{Type: typ, Days: slotDays(slots, f.Value("slot")), Form: f})
}
