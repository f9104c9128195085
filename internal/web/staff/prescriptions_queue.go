package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// showPrescriptionQueue lists the prescriptions waiting for a pharmacist,
// oldest first: GET /staff/prescriptions. It shows only what is stored in
// the clear (when it came, and how), so it opens no one's record.
func (h *Handlers) showPrescriptionQueue(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.rx.Queue(r.Context(), tenant.FromContext(r.Context()).ID, 200)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.rxQueue, http.StatusOK, "Prescriptions to verify", rows)
}
