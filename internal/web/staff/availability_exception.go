package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// addException adds a day off or extra hours: POST
// /staff/appointments/availability/exceptions (location, day, kind, from, to).
func (h *Handlers) addException(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityChange(func(r *http.Request, tenantID string, f *web.Form) error {
		return h.appointments.AddException(r.Context(), tenantID, f.Value("location"), f.Value("day"), f.Value("kind"), f.Value("from"), f.Value("to"))
	})(w, r)
}

// removeException removes one of the clinician's own exceptions: POST
// /staff/appointments/availability/exceptions/{id}/remove.
func (h *Handlers) removeException(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityChange(func(r *http.Request, tenantID string, _ *web.Form) error {
		return h.appointments.RemoveException(r.Context(), tenantID, r.PathValue("id"))
	})(w, r)
}
