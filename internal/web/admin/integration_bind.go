package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// bindIntegration chooses the vendor an integration sends to: POST
// /admin/compliance/integrations/{key} (field vendor). An unknown
// integration is the plain 404; a vendor not listed is a field error.
func (h *Handlers) bindIntegration(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if err := h.people.Vendors.Bind(r.Context(), t.ID, r.PathValue("key"), f.Value("vendor")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.vendorsPage(w, r, status, vendorsData{Form: &web.Form{Message: f.Message}})
	}
	return seeOther(w, r, "/admin/compliance/vendors", "bound")
}
