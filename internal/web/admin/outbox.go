package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// outboxData is the outbox page: counts, the newest messages without their
// content, and the reasons one may give to open one.
type outboxData struct {
	Form    *web.Form
	Summary outbox.Summary
	Reasons []outbox.OpenReason
}

// showOutbox lists the tenant's emails with the minimum an admin needs to
// see that mail flows: counts by status, and per message its kind, status,
// attempts, last error and masked recipient. Why no subject, body or
// reference: those are PHI, and an admin needs none of it to run the shop;
// one message is opened only with a reason (openOutboxMessage), audited.
// Listing opens nothing through the vault.
func (h *Handlers) showOutbox(w http.ResponseWriter, r *http.Request) error {
	return h.outbox(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) outbox(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	if !h.people.ShowOutbox {
		return apperr.NotFoundError()
	}
	t := tenant.FromContext(r.Context())
	sum, err := h.people.Outbox.Overview(r.Context(), t.ID, 50)
	if err != nil {
		return err
	}
	return h.site.Render(w, r, h.mail, status, "Outbox", outboxData{Form: f, Summary: sum, Reasons: outbox.OpenReasons})
}
