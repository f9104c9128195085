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
