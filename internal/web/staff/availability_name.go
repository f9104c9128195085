package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/web"
)

// setName sets the name patients see: POST
// /staff/appointments/availability/name (display_name).
func (h *Handlers) setName(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityChange(func(r *http.Request, tenantID string, f *web.Form) error {
		return h.appointments.SetDisplayName(r.Context(), tenantID, f.Value("display_name"))
	})(w, r)
}
