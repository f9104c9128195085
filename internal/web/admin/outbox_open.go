package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// openedMail is one email as the admin opened it.
type openedMail struct {
	outbox.Item
	ToText, Body, Reason string
}

// openOutboxMessage shows one email to an admin who gave a reason from the
// list: the vault records the opening at high severity with the reason
// before anything is decrypted. Why a POST: opening is an act that is
// logged, not a page to bookmark or prefetch. Another tenant's message, or
// none, is the plain 404.
func (h *Handlers) openOutboxMessage(w http.ResponseWriter, r *http.Request) error {
	if !h.people.ShowOutbox {
		return apperr.NotFoundError()
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	it, err := h.people.Outbox.Open(r.Context(), t.ID, r.PathValue("id"), f.Value("reason"))
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.outbox(w, r, status, f)
	}
	if err != nil {
		return err
	}
	reason := ""
	for _, o := range outbox.OpenReasons {
		if o.Code == f.Value("reason") {
			reason = o.Label
		}
	}
	return h.site.Render(w, r, h.mailOpen, http.StatusOK, "Email",
		openedMail{Item: it, ToText: it.To.Reveal(), Body: it.Text.Reveal(), Reason: reason})
}
