package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/tenant"
)

// mailRow is one email as the demo's outbox page shows it.
type mailRow struct {
	outbox.Item
	ToText, Body string
}

// showOutbox lists the newest emails with their text: in the demo, where no
// mail server is configured, this is how one reads a verification link.
// Every message shown is opened through the vault and audited.
func (h *Handlers) showOutbox(w http.ResponseWriter, r *http.Request) error {
	if !h.people.ShowOutbox {
		return apperr.NotFoundError()
	}
	t := tenant.FromContext(r.Context())
	items, err := h.people.Outbox.Recent(r.Context(), t.ID, 50)
	if err != nil {
		return err
	}
	rows := make([]mailRow, 0, len(items))
	for _, it := range items {
		rows = append(rows, mailRow{Item: it, ToText: it.To.Reveal(), Body: it.Text.Reveal()})
	}
	return h.site.Render(w, r, h.mail, http.StatusOK, "Outbox", rows)
}
