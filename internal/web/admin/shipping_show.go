package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// shippingData is the shipping page: the tenant's methods, zones and rates,
// and after a refused save the form that failed (Failed: "method", "zone"
// or "rate") with what was typed.
type shippingData struct {
	State    formState
	Shipping shiptax.Shipping
	// Regions are every region, for the zone form's help.
	Regions []shiptax.TaxRegion
	// Unzoned are the regions in no zone: they cannot be shipped to.
	Unzoned []string
	Failed  string
	Typed   map[string]string
}

// showShipping shows the shipping methods, zones and rates with a form to
// add or change each: GET /admin/shipping.
func (h *Handlers) showShipping(w http.ResponseWriter, r *http.Request) error {
	return h.shipping(w, r, nil, "", nil)
}

func (h *Handlers) shipping(w http.ResponseWriter, r *http.Request, failed error, form string, f *web.Form) error {
	st, err := h.ShipTax.Settings(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	d := shippingData{State: stateFrom(r, failed), Shipping: st.Shipping, Regions: st.Tax, Failed: form, Typed: map[string]string{}}
	for _, t := range st.Tax {
		if _, ok := st.Shipping.ZoneOf(t.Code); !ok {
			d.Unzoned = append(d.Unzoned, t.Code)
		}
	}
	if f != nil {
		for k := range f.Values {
			d.Typed[k] = f.Value(k)
		}
	}
	return h.render(w, r, h.shippingView, "Shipping", d, failed)
}

// shippingSaved redirects back to the shipping page after a change.
func (h *Handlers) shippingSaved(w http.ResponseWriter, r *http.Request, done string) error {
	return seeOther(w, r, "/admin/shipping", done)
}
