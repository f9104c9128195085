package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// resolveDeviceAlert takes POST /staff/patients/{id}/devices/alerts/{alert}/resolve:
// a clinician of the care team marks an alert seen to; it leaves the queue.
func (h *Handlers) resolveDeviceAlert(w http.ResponseWriter, r *http.Request) error {
	if err := h.devices.ResolveAlert(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), r.PathValue("alert")); err != nil {
		return err
	}
	return h.patientDevicesPage(w, r, http.StatusOK, &web.Form{Done: "The alert is marked as seen to."})
}
