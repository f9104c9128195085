package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// downloadDisclosures serves the accounting of disclosures of the past six
// years as a CSV file: GET /account/access-log/disclosures.csv (?for= for a
// proxy with the access history granted). The read is audited.
func (h *Rights) downloadDisclosures(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient, _ := patientOf(r, sess.UserID)
	ds, err := h.accounting.Disclosures(r.Context(), tenant.FromContext(r.Context()).ID, patient)
	if err != nil {
		return err
	}
	data, err := accounting.CSV(ds)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="accounting-of-disclosures-`+h.accounting.Now().Format("2006-01-02")+`.csv"`)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	// Not XSS: CSV served as text/csv for download (attachment, nosniff), its cells defused against formulas.
	_, err = w.Write(data) //nolint:gosec // see above
	return err
}
