package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// setProductStatus archives, drafts or restores a product:
// POST /admin/catalog/products/{id}/status with status=archived|draft|active.
func (h *Handlers) setProductStatus(w http.ResponseWriter, r *http.Request) error {
	status := r.FormValue("status")
	switch status {
	case catalog.StatusActive, catalog.StatusDraft, catalog.StatusArchived:
	default:
		return apperr.InvalidFields("Unknown status.", map[string]string{"status": "Choose active, draft or archived."})
	}
	pid := r.PathValue("id")
	if err := h.catalog.SetStatus(r.Context(), tenant.FromContext(r.Context()).ID, pid, status); err != nil {
		return err
	}
	return seeOther(w, r, "/admin/catalog/products/"+pid, "saved")
}

func invalidVariants(lines []string) error {
	f := map[string]string{}
	for _, l := range lines {
		k, v, _ := cut(l)
		f[k] = v
	}
	return apperr.InvalidFields("The variants have mistakes; see the fields.", f)
}

func cut(s string) (string, string, bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' {
			return s[:i], s[i+2:], true
		}
	}
	return s, "", false
}
