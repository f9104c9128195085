package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// newDeviceCode takes POST /account/devices/{id}/code: a fresh pairing code
// for one of the patient's devices (the old one stops working), shown on
// the page this once.
func (h *Handlers) newDeviceCode(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	code, err := h.devices.NewCode(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.devicesPage(w, r, http.StatusOK, &web.Form{Done: "Here is a new pairing code."}, code, "your device")
}
