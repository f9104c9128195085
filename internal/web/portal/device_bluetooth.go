package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// connectBluetooth takes POST /account/devices/bluetooth (ble: the
// browser's id of the meter; service: glucose, blood_pressure, …; name:
// the name the meter advertises), sent by js/bluetooth.js once the patient
// picked a meter in the browser's chooser. It answers JSON: the device in
// the patient's record (registered on first use), a pairing code the page
// spends at once on /api/v1/devices/pair, and the last sequence number
// stored from it. Why a code and not a token here: the readings then go
// through the ingestion API with a device token like any device's, with
// the same validation, dedup and idempotency; and the code, like the
// token, travels only in bodies, never in a URL.
func (h *Handlers) connectBluetooth(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	kind, ok := devices.BluetoothKinds[f.Value("service")]
	if !ok {
		kind = devices.Kind("")
	}
	c, err := h.devices.ConnectBluetooth(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, f.Value("ble"), kind, f.Value("name"))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}
