package staff

import (
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/render"
)

// WithDevices adds the device pages (issue 17): the care team's device
// alerts, and a patient's readings with their thresholds. Without it those
// routes are not registered.
func (h *Handlers) WithDevices(d *devices.Service) error {
	h.devices = d
	return h.site.Pages(map[string]**render.Page{"staff/device_alerts": &h.devicePages.alerts, "staff/patient_devices": &h.devicePages.patient})
}
