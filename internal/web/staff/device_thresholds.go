package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setThresholds takes POST /staff/patients/{id}/devices/thresholds: the
// clinician's target ranges and alert thresholds per type ("glucose.low",
// "glucose.alert_high"...). Bad input shows the form again with each
// field's error and changes nothing.
func (h *Handlers) setThresholds(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	form := devices.ThresholdForm{}
	for _, t := range devices.Types {
		var v [4]string
		for i, n := range boundNames {
			v[i] = f.Value(string(t) + "." + n)
		}
		form[t] = v
	}
	if err := h.devices.SetThresholds(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), form); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.patientDevicesPage(w, r, status, f)
	}
	return h.patientDevicesPage(w, r, http.StatusOK, &web.Form{Done: "The thresholds are saved. New readings are flagged against them."})
}
