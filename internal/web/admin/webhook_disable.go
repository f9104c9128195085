package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
)

// disableWebhook switches a subscription off; its waiting deliveries are
// given up: POST /admin/compliance/webhooks/{id}/disable.
func (h *Handlers) disableWebhook(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	if err := h.people.Webhooks.Disable(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/compliance/webhooks", "disabled")
}
