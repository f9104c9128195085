package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// setOfferPrice sets this shop's price of an organisation variant, or (an
// empty price) returns it to the organisation's:
// POST /admin/catalog/organisation/variants/{id}/price. A refused price
// changes nothing and shows the page again with it.
func (h *Handlers) setOfferPrice(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	vid, price := r.PathValue("id"), f.Value("price")
	if err := h.Offers.SetPrice(r.Context(), tenant.FromContext(r.Context()).ID, vid, price); err != nil {
		return h.orgCatalog(w, r, err, vid, price)
	}
	return seeOther(w, r, "/admin/catalog/organisation", "saved")
}
