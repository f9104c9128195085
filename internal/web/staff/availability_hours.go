package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// addHours adds weekly hours: POST /staff/appointments/availability/hours
// (location, weekday, from, to).
func (h *Handlers) addHours(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityChange(func(r *http.Request, tenantID string, f *web.Form) error {
		return h.appointments.AddHours(r.Context(), tenantID, f.Value("location"), f.Value("weekday"), f.Value("from"), f.Value("to"))
	})(w, r)
}

// removeHours removes weekly hours of the clinician's own: POST
// /staff/appointments/availability/hours/{id}/remove.
func (h *Handlers) removeHours(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityChange(func(r *http.Request, tenantID string, _ *web.Form) error {
		return h.appointments.RemoveHours(r.Context(), tenantID, r.PathValue("id"))
	})(w, r)
}
