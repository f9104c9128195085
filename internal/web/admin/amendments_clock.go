package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/tenant"
)

// amendClockData is the compliance officer's view of the amendment clock.
type amendClockData struct {
	Rows    []amend.Row
	Overdue int
}

// showAmendmentClock renders GET /admin/compliance/amendments: every
// correction request waiting for a decision, the earliest due first, with
// the overdue ones counted and marked. Only the kind and the dates: no
// text and no name (the reading is audited).
func (h *Handlers) showAmendmentClock(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.rights.amend.Clock(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	d := amendClockData{Rows: rows}
	for _, row := range rows {
		if row.Overdue {
			d.Overdue++
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.rights.clock, http.StatusOK, "Amendment requests", d)
}
