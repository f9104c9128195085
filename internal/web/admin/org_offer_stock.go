package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setOfferStock switches this shop's copy of an organisation variant to
// stock of its own (a count), or (empty) back to the organisation's shared
// stock: POST /admin/catalog/organisation/variants/{id}/stock. A refused
// count changes nothing and shows the page again with it.
func (h *Handlers) setOfferStock(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	vid, count := r.PathValue("id"), f.Value("stock")
	if err := h.Offers.SetStock(r.Context(), tenant.FromContext(r.Context()).ID, vid, count); err != nil {
		return h.orgCatalogStock(w, r, err, vid, count)
	}
	return seeOther(w, r, "/admin/catalog/organisation", "saved")
}
