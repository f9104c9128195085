package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// retentionData is the compliance officer's retention page: the rules per
// record type and the disposal certificates.
type retentionData struct {
	Form         *web.Form
	Rules        []retention.Effective
	Certificates []retention.Certificate
}

// showRetention shows the retention rules and the disposal certificates:
// GET /admin/compliance/retention.
func (h *Handlers) showRetention(w http.ResponseWriter, r *http.Request) error {
	return h.retentionPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) retentionPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	rules, err := h.people.Retention.Rules(r.Context(), t.ID)
	if err != nil {
		return err
	}
	certs, err := h.people.Retention.Certificates(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.retentionView, status, "Retention and disposal", retentionData{Form: f, Rules: rules, Certificates: certs})
}
