package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/webhooks"
)

// addWebhook asks to subscribe a URL to events: POST
// /admin/compliance/webhooks (fields url, events (several), vendor,
// carry_phi, reason). The webhook is kept switched off until a second
// person approves the request under Changes; the answer shows its secret
// once. Bad input shows the form again and changes nothing.
func (h *Handlers) addWebhook(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	in := webhooks.Input{URL: f.Value("url"), Events: f.Values["events"], VendorID: f.Value("vendor"), CarryPHI: f.Value("carry_phi") == "yes",
		Reason: f.Value("reason")}
	_, secret, err := h.people.Webhooks.RequestSubscribe(r.Context(), t.ID, in, h.people.Vendors)
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.webhooksPage(w, r, status, webhooksData{Form: f})
	}
	// Why no redirect: the secret would have to travel in the URL or be
	// kept; it is shown in this answer only.
	return h.webhooksPage(w, r, http.StatusOK, webhooksData{Secret: secret,
		Done: "The webhook was added, switched off: it sends when a second person approves the request under Changes. Copy its secret now: it is not shown again."})
}
