package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveTaxRegion sets a region's sales tax rate and its exemptions for
// prescription and HSA/FSA-eligible items: POST /admin/tax/{region}. A
// refused rate changes nothing and shows the page again with the reason.
func (h *Handlers) saveTaxRegion(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	region := r.PathValue("region")
	if err := h.ShipTax.SaveTaxRegion(r.Context(), tenant.FromContext(r.Context()).ID, region, f.Value("rate"),
		f.Value("exempt_rx") == "1", f.Value("exempt_hsa") == "1"); err != nil {
		return h.tax(w, r, err, region, f)
	}
	return seeOther(w, r, "/admin/tax", "saved")
}
