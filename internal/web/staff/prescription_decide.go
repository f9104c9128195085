package staff

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// verifyPrescription records a prescription's contents and verifies it:
// POST /staff/prescriptions/{id}/verify. Orders of the patient waiting for
// it move on. Bad input shows the form again with each field's error and
// changes nothing; another pharmacist's decision first is a Conflict shown
// the same way.
func (h *Handlers) verifyPrescription(w http.ResponseWriter, r *http.Request) error {
	return h.decidePrescription(w, r, false)
}

// decidePrescription is verify and reject (prescription_reject.go).
func (h *Handlers) decidePrescription(w http.ResponseWriter, r *http.Request, reject bool) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Value(name)))
		if err != nil {
			return -1
		}
		return n
	}
	version, _ := strconv.ParseInt(f.Value("version"), 10, 64)
	v := rx.Verification{Version: version, Reject: reject, Reason: f.Value("reason"), Drug: f.Value("drug"), Strength: f.Value("strength"),
		Quantity: num("quantity"), Refills: num("refills"), Prescriber: f.Value("prescriber"), IssuedOn: f.Value("issued_on"),
		ExpiresOn: f.Value("expires_on"), DaysSupply: num("days_supply"), VariantID: f.Value("variant")}
	p, err := h.rx.Decide(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), v)
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.prescriptionPage(w, r, status, f)
	}
	key := "verified"
	if reject {
		key = "rejected"
	}
	// Not an open redirect: a local path with the stored id and a fixed key.
	http.Redirect(w, r, "/staff/prescriptions/"+p.ID+"?done="+key, http.StatusSeeOther) //nolint:gosec // see above
	return nil
}
