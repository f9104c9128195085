package staff

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/tenant"
)

// showPrescriptionDocument serves the uploaded image or PDF of a
// prescription to a pharmacist of the tenant: GET
// /staff/prescriptions/{id}/document. Opening it is audited (rx.document).
//
// Why these headers: the type is the one decided from the bytes at upload,
// and nosniff keeps the browser to it; no-store keeps the paper out of every
// cache; inline with a fixed file name, so the patient's file name (which
// may say something) never comes back; a sandbox CSP so a PDF viewer cannot
// run anything of the document's with the site's rights.
func (h *Handlers) showPrescriptionDocument(w http.ResponseWriter, r *http.Request) error {
	doc, err := h.rx.Document(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := doc.Data.Reveal()
	hd := w.Header()
	hd.Set("Content-Type", doc.ContentType)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Disposition", `inline; filename="prescription"`)
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; object-src 'self'")
	// Not XSS: the bytes are the patient's JPEG, PNG or PDF (checked by
	// content at upload), served as that type with nosniff and a sandbox CSP.
	_, err = w.Write(data) //nolint:gosec // see above

	return err
}
