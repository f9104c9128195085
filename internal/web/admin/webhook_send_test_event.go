package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// sendTestWebhook queues a test event for one subscription (the "send test"
// button): POST /admin/compliance/webhooks/{id}/test. It is signed, gated
// and logged like any other delivery.
func (h *Handlers) sendTestWebhook(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Webhooks.SendTest(r.Context(), t.ID, r.PathValue("id")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.webhooksPage(w, r, status, webhooksData{Form: &web.Form{Message: f.Message}})
	}
	return seeOther(w, r, "/admin/compliance/webhooks", "queued")
}
