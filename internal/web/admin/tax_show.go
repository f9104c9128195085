package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// taxData is the tax page: every region with its rate and exemptions, and
// after a refused save the region that failed with what was typed.
type taxData struct {
	State   formState
	Regions []shiptax.TaxRegion
	Failed  string
	Typed   string
	// TypedRx and TypedHSA are the exemptions as sent with a refused rate.
	TypedRx, TypedHSA bool
}

// showTax shows every region's sales tax rate and exemptions, each with a
// form to change it: GET /admin/tax.
func (h *Handlers) showTax(w http.ResponseWriter, r *http.Request) error {
	return h.tax(w, r, nil, "", nil)
}

func (h *Handlers) tax(w http.ResponseWriter, r *http.Request, failed error, region string, f *web.Form) error {
	st, err := h.ShipTax.Settings(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	d := taxData{State: stateFrom(r, failed), Regions: st.Tax, Failed: region}
	if f != nil {
		d.Typed, d.TypedRx, d.TypedHSA = f.Value("rate"), f.Value("exempt_rx") == "1", f.Value("exempt_hsa") == "1"
	}
	return h.render(w, r, h.taxView, "Tax", d, failed)
}
