package staff

import "net/http"

// denyAmendment denies a correction with the reason the patient reads:
// POST /staff/amendments/{id}/deny.
func (h *Handlers) denyAmendment(w http.ResponseWriter, r *http.Request) error {
	return h.decideAmendment(w, r, false)
}
