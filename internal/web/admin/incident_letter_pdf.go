package admin

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/tenant"
)

// downloadIncidentLetter streams one person's notice letter as a PDF: GET
// /admin/compliance/incidents/{id}/letters/{person}. The letter is made on
// request and never stored; the read of the list and of the name is
// audited. Someone not affected, or another tenant's incident, is the
// plain 404.
func (h *Handlers) downloadIncidentLetter(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	// Why buffered: an error half-way must still become the error page,
	// not a truncated PDF.
	var b bytes.Buffer
	if err := h.people.Incidents.Letter(r.Context(), t.ID, r.PathValue("id"), r.PathValue("person"), &b); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	// The file is named by the incident and the account id, never a name.
	hd.Set("Content-Disposition", `attachment; filename="notice-`+r.PathValue("id")+`-`+r.PathValue("person")+`.pdf"`)
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Cache-Control", "no-store")
	_, err := w.Write(b.Bytes())
	return err
}
