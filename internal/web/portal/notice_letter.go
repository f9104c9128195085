package portal

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// downloadNotice streams the person's own notice letter as a PDF: GET
// /account/notices/{id}/letter. Made on request, never stored; someone
// else's notice is the plain 404.
func (h *Notices) downloadNotice(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	var b bytes.Buffer
	if err := h.incidents.OwnLetter(r.Context(), t.ID, sess.UserID, r.PathValue("id"), &b); err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	hd.Set("Content-Disposition", `attachment; filename="notice-`+r.PathValue("id")+`.pdf"`)
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	hd.Set("Cache-Control", "no-store")
	_, err = w.Write(b.Bytes())
	return err
}
