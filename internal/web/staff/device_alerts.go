package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/tenant"
)

// deviceAlertsData is the care team's queue of device alerts.
type deviceAlertsData struct {
	Alerts []devices.Alert
}

// showDeviceAlerts renders GET /staff/device-alerts: the open alerts of the
// clinician's patients (others are left out, as if absent), oldest first.
// No value and no name here: a line says which kind of reading and when,
// and links to the patient's readings, where opening them is audited.
func (h *Handlers) showDeviceAlerts(w http.ResponseWriter, r *http.Request) error {
	list, err := h.devices.OpenAlerts(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.devicePages.alerts, http.StatusOK, "Device alerts", deviceAlertsData{Alerts: list})
}
