package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// amendPages are the staff side of amendments (issue 16, 164.526).
type amendPages struct {
	svc          *amend.Service
	queue, entry *render.Page
}

// Amendments turns on the amendment pages, before Routes; a missing
// template fails here.
func (h *Handlers) Amendments(s *amend.Service) error {
	h.amend.svc = s
	return h.site.Pages(map[string]**render.Page{"staff/amendments": &h.amend.queue, "staff/amendment": &h.amend.entry})
}

// amendQueueData is the queue of requests a staff member may decide.
type amendQueueData struct {
	Rows []amend.Row
}

// showAmendmentQueue renders GET /staff/amendments: the requests of the
// kinds the staff member's role decides (clinicians lab results of their
// patients, pharmacists prescriptions), the earliest due first, overdue
// marked. No text of any request is opened for the list.
func (h *Handlers) showAmendmentQueue(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.amend.svc.Queue(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.amend.queue, http.StatusOK, "Correction requests", amendQueueData{Rows: rows})
}

// amendmentData is one request as staff decide it, with what already
// travels with its record.
type amendmentData struct {
	A       *amend.Amendment
	History []*amend.Amendment
	Form    *web.Form
	Done    string
}

// amendDone are the confirmations chosen by ?done= (fixed texts).
var amendDone = map[string]string{
	"accepted": "Accepted. The correction now shows with the record, beside the old value.",
	"denied":   "Denied. The patient reads your reason and may file a statement of disagreement.",
	"extended": "Extended by 30 days. The patient reads your reason.",
}

// showAmendment renders GET /staff/amendments/{id}: the request, its
// clock, the record's corrections and statements so far, and the forms to
// accept, deny or extend. Staff who may not read the record's class of this
// patient get the same 404 as for an unknown id.
func (h *Handlers) showAmendment(w http.ResponseWriter, r *http.Request) error {
	return h.amendmentPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) amendmentPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	a, err := h.amend.svc.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	hist, err := h.amend.svc.History(r.Context(), t.ID, a.Kind, a.RecordID)
	if err != nil {
		return err
	}
	return h.render(w, r, h.amend.entry, status, "Correction request", amendmentData{A: a, History: hist, Form: f,
		Done: amendDone[r.URL.Query().Get("done")]})
}
