package staff

import "net/http"

// rejectPrescription rejects a prescription with a reason the patient sees:
// POST /staff/prescriptions/{id}/reject.
func (h *Handlers) rejectPrescription(w http.ResponseWriter, r *http.Request) error {
	return h.decidePrescription(w, r, true)
}
