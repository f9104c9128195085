package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// devicesData is the devices page: the patient's devices, what they have
// measured, the registration form, and a pairing code just issued.
type devicesData struct {
	Devices []*devices.Device
	Summary []devices.TypeSummary
	Kinds   []devices.Kind
	Form    *web.Form
	// Code is a pairing code just issued (shown this once, never in a URL),
	// for the device named Paired.
	Code, CodeFor string
	TTL           int
}

// showDevices renders GET /account/devices.
func (h *Handlers) showDevices(w http.ResponseWriter, r *http.Request) error {
	return h.devicesPage(w, r, http.StatusOK, &web.Form{}, "", "")
}

// devicesPage renders the devices page with a form state and, after a
// registration or a new code, the code.
func (h *Handlers) devicesPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form, code, codeFor string) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	tid := tenant.FromContext(r.Context()).ID
	list, err := h.devices.List(r.Context(), tid, sess.UserID)
	if err != nil {
		return err
	}
	sum, err := h.devices.Summary(r.Context(), tid, sess.UserID)
	if err != nil {
		return err
	}
	d := devicesData{Devices: list, Summary: sum, Kinds: devices.Kinds, Form: f, CodeFor: codeFor,
		TTL: int(devices.PairingTTL.Minutes())}
	if code != "" {
		d.Code = devices.FormatCode(code)
	}
	// The "Connect my meter" panel reads a meter through Web Bluetooth: this
	// page, and no other, may use it.
	httpx.AllowBluetooth(w)
	return h.render(w, r, h.pages.devices, status, "Your devices", d)
}
