package staff

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// rxProduct is a prescription product a verification may name.
type rxProduct struct{ VariantID, Label string }

type prescriptionData struct {
	P        *rx.Prescription
	Document bool // an image or PDF was uploaded
	Products []rxProduct
	Form     *web.Form
	Done     string
}

// rxDone are the confirmations after a decision (fixed texts).
var rxDone = map[string]string{
	"verified": "The prescription is verified. Orders waiting for it move on to preparation.",
	"rejected": "The prescription is rejected. The patient sees your reason.",
}

// showPrescription renders one prescription for a pharmacist, with the form
// to record it and verify or reject: GET /staff/prescriptions/{id}. The view
// is audited; anyone but a pharmacist of the tenant, and an unknown id, get
// the plain 404.
func (h *Handlers) showPrescription(w http.ResponseWriter, r *http.Request) error {
	return h.prescriptionPage(w, r, http.StatusOK, nil)
}

func (h *Handlers) prescriptionPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	p, err := h.rx.ForPharmacist(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := prescriptionData{P: p, Document: p.Source == rx.SourceUpload, Form: f, Done: rxDone[r.URL.Query().Get("done")]}
	if d.Form == nil {
		// The form starts from what is recorded (or what the patient gave).
		v := url.Values{"drug": {p.Drug}, "strength": {p.Strength}, "prescriber": {p.Prescriber}, "issued_on": {p.IssuedOn},
			"variant": {p.VariantID}, "days_supply": {"30"}}
		if p.Prescriber == "" {
			v.Set("prescriber", p.PrescriberAsked)
		}
		if p.Quantity > 0 {
			v.Set("quantity", strconv.Itoa(p.Quantity))
			v.Set("refills", strconv.Itoa(p.Refills))
		}
		d.Form = &web.Form{Values: v}
	}
	if p.Status == rx.Pending {
		products, err := h.products(r.Context(), t.ID)
		if err != nil {
			return err
		}
		for _, pr := range products {
			if !pr.RequiresPrescription {
				continue
			}
			for _, v := range pr.Variants {
				label := pr.Name
				if v.Name != "" {
					label += " — " + v.Name
				}
				d.Products = append(d.Products, rxProduct{VariantID: v.ID, Label: label})
			}
		}
	}
	return h.render(w, r, h.pages.rx, status, "Prescription", d)
}
