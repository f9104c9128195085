package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// chooseOffer makes this shop sell an organisation product (sell=yes) or
// stop selling it (anything else): POST /admin/catalog/organisation/{id}.
// A product of another organisation is the same 404 as an unknown one.
func (h *Handlers) chooseOffer(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sell := f.Value("sell") == "yes"
	if err := h.Offers.Choose(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), sell); err != nil {
		return h.orgCatalog(w, r, err, "", "")
	}
	return seeOther(w, r, "/admin/catalog/organisation", "saved")
}
