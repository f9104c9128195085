package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/tenant"
)

// downloadCertificate downloads one disposal certificate as plain text:
// GET /admin/compliance/retention/certificates/{id}. It names who disposed
// of what, when, by which method and under which rule; what is the
// subject's opaque id, never a name or any other PHI (the person's data is
// unreadable by then).
func (h *Handlers) downloadCertificate(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	// Why the tenant in the lookup: another tenant's certificate is the
	// same 404 as none.
	c, err := h.people.Retention.Certificate(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Salve disposal certificate\n\n")
	fmt.Fprintf(&b, "Certificate:    %s\n", c.ID)
	fmt.Fprintf(&b, "Organisation:   %s (%s)\n", t.Name, t.ID)
	fmt.Fprintf(&b, "Who:            %s\n", c.Actor)
	fmt.Fprintf(&b, "What:           every record of subject %s (documentation, orders, messages, profile)\n", c.Subject)
	fmt.Fprintf(&b, "Account closed: %s\n", c.ClosedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Retained until: %s\n", c.RetainedUntil.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "When disposed:  %s\n", c.DisposedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Method:         %s\n", c.Method)
	fmt.Fprintf(&b, "Rule:           %s\n", c.Rule)
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="disposal-`+c.ID+`.txt"`)
	hd.Set("Content-Length", strconv.Itoa(b.Len()))
	_, err = w.Write([]byte(b.String()))
	return err
}
