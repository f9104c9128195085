package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestWebhookPHI asks for a webhook to carry its events' PHI, or to stop
// (field carry_phi yes or no, reason): POST /admin/compliance/webhooks/{id}/phi.
// It takes effect when a second person approves it under Changes; bad input
// shows the page again and changes nothing.
func (h *Handlers) requestWebhookPHI(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Webhooks.RequestCarryPHI(r.Context(), t.ID, r.PathValue("id"), f.Value("carry_phi") == "yes", f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.webhooksPage(w, r, status, webhooksData{Form: f})
	}
	return seeOther(w, r, "/admin/compliance/webhooks", "phi-requested")
}
