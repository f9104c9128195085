package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/tenant"
)

// downloadReviewEvidence opens a completed review's evidence as text: GET
// /admin/compliance/reviews/{id}/evidence. The vault records who opened
// it; another tenant's completion is the same 404 as none.
func (h *Handlers) downloadReviewEvidence(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	c, text, err := h.people.Reviews.Evidence(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	body := c.Kind.Title() + "\ncompleted " + c.CompletedAt.Format("2006-01-02 15:04 MST") + " by " + string(c.CompletedRole) + " " + c.CompletedBy +
		"\n\n" + text + "\n"
	hd := w.Header()
	// Why plain text, nosniff and a sandbox CSP: the evidence is free text
	// someone typed; it is never rendered as HTML here.
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, err = w.Write([]byte(body)) //nolint:gosec // text/plain with nosniff and a sandbox CSP, see above
	return err
}

// downloadReviewFile sends a completed review's evidence file: GET
// /admin/compliance/reviews/{id}/file. The vault records who opened it;
// none attached, or another tenant's completion, is the same 404 as none.
func (h *Handlers) downloadReviewFile(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	c, b, err := h.people.Reviews.File(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", c.FileType.ContentType())
	// Why attachment, nosniff and a sandbox CSP: the file was checked by its
	// content at upload, but it is still someone's upload; downloaded, it
	// never runs under this site's origin.
	hd.Set("Content-Disposition", `attachment; filename="review-evidence-`+c.ID+`.`+c.FileType.Ext()+`"`)
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	_, err = w.Write(b) //nolint:gosec // an attachment of a checked type with nosniff and a sandbox CSP, see above
	return err
}
