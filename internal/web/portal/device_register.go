package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// registerDevice takes POST /account/devices (kind, model, order): the
// device is added and the page shows its pairing code. Why the page is
// rendered and not redirected to: the code must not travel in a URL, and
// it is shown once.
func (h *Handlers) registerDevice(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	dev, code, err := h.devices.Register(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID,
		devices.Registration{Kind: devices.Kind(f.Value("kind")), Model: f.Value("model"), OrderRef: f.Value("order")})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.devicesPage(w, r, status, f, "", "")
	}
	return h.devicesPage(w, r, http.StatusOK, &web.Form{Done: "Your " + dev.Kind.Label() + " is registered. Pair it with the code below."}, code, dev.Model)
}
