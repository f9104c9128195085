package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/tenant"
)

// downloadRecords serves a ready copy: GET /account/records/{id}/download,
// a zip of record.json and fhir-bundle.json. Only the person who asked for
// it, while it has not expired and while they may still see all it holds;
// anyone else gets the same 404 as an unknown id. The download is audited.
func (h *Rights) downloadRecords(w http.ResponseWriter, r *http.Request) error {
	e, data, err := h.records.Download(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/zip")
	// Why a fixed name with the date only: the file name lands in the
	// browser's download history, where no PHI belongs.
	hd.Set("Content-Disposition", `attachment; filename="health-record-`+e.ReadyAt.Format("2006-01-02")+`.zip"`)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	// Not XSS: a zip built by Salve, served as application/zip for download (attachment, nosniff).
	_, err = w.Write(data) //nolint:gosec // see above
	return err
}
