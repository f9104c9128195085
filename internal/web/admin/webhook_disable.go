package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// disableWebhook asks to switch a subscription off (field reason): POST
// /admin/compliance/webhooks/{id}/disable. It is switched off, and its
// waiting deliveries given up, when a second person approves the request
// under Changes. No reason shows the page again and records nothing;
// another tenant's webhook is the plain 404.
func (h *Handlers) disableWebhook(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Webhooks.RequestDisable(r.Context(), t.ID, r.PathValue("id"), f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.webhooksPage(w, r, status, webhooksData{Form: f})
	}
	return seeOther(w, r, "/admin/compliance/webhooks", "disable-requested")
}
