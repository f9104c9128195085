package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// revokeDevice takes POST /account/devices/{id}/revoke: the device's token
// stops working at its next request (a lost phone or meter). Its readings
// stay.
func (h *Handlers) revokeDevice(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if err := h.devices.Revoke(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id")); err != nil {
		return err
	}
	return h.devicesPage(w, r, http.StatusOK, &web.Form{Done: "The device is revoked: it can no longer send readings. Its readings stay in your record."}, "", "")
}
