package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// bindIntegration asks for the vendor an integration sends to: POST
// /admin/compliance/integrations/{key} (fields vendor, reason). It takes
// effect when a second person approves it under Changes. An unknown
// integration is the plain 404; a vendor not listed or no reason is a
// field error, and nothing is recorded.
func (h *Handlers) bindIntegration(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Vendors.RequestBind(r.Context(), t.ID, r.PathValue("key"), f.Value("vendor"), f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.vendorsPage(w, r, status, vendorsData{Form: &web.Form{Message: f.Message}})
	}
	return seeOther(w, r, "/admin/compliance/vendors", "bind-requested")
}
