package admin

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/salvehealth/salve/internal/activity"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// ActivitySource is the review of audit activity and the audit events
// behind it (internal/server.ActivityReview); the compliance officer's.
type ActivitySource interface {
	Findings(ctx context.Context, tenantID string, from, to time.Time) ([]activity.Finding, error)
	Events(ctx context.Context, tenantID string, q audit.Query) ([]audit.Record, error)
}

// findingRow is one finding as the page shows it, with the address of the
// audit events behind it.
type findingRow struct {
	activity.Finding
	Title, Actor, Events string
}

// activityData is the activity review page.
type activityData struct {
	Form     *web.Form
	From, To string // YYYY-MM-DD, To inclusive
	Findings []findingRow
}

// parseDay reads a YYYY-MM-DD or RFC 3339 time; "" gives def.
func parseDay(v string, def time.Time) (time.Time, bool) {
	if v == "" {
		return def, true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	return t.UTC(), err == nil
}

// showActivity lists the unusual access of a period (the last 30 days by
// default): GET /admin/compliance/activity?from=YYYY-MM-DD&to=YYYY-MM-DD.
// Each line links to the audit events behind it.
func (h *Handlers) showActivity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if h.people.Reviews != nil {
		today = h.people.Reviews.Now().UTC().Truncate(24 * time.Hour)
	}
	q := r.URL.Query()
	from, ok1 := parseDay(q.Get("from"), today.Add(-29*24*time.Hour))
	to, ok2 := parseDay(q.Get("to"), today)
	f := &web.Form{Values: q}
	status := http.StatusOK
	if !ok1 || !ok2 || to.Before(from) {
		status = http.StatusBadRequest
		f.Message = "Give the period as two dates, the first not after the second."
		f.Errors = map[string]string{"from": "A date such as 2026-11-01.", "to": "A date on or after the first."}
		from, to = today.Add(-29*24*time.Hour), today
	}
	data := activityData{Form: f, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	found, err := h.people.Activity.Findings(ctx, t.ID, from, to.Add(24*time.Hour))
	if err != nil {
		return err
	}
	for _, fd := range found {
		v := url.Values{"actor": {fd.ActorID}, "from": {fd.From.UTC().Format(time.RFC3339Nano)}, "to": {fd.To.UTC().Format(time.RFC3339Nano)}}
		if fd.Subject != "" {
			v.Set("subject", fd.Subject)
		}
		if fd.Rule == activity.Denials {
			v.Set("outcome", string(audit.Denied))
		}
		data.Findings = append(data.Findings, findingRow{Finding: fd, Title: fd.Rule.Title(), Actor: who(fd.ActorID, fd.ActorRole, ""),
			Events: "/admin/compliance/audit?" + v.Encode()})
	}
	return h.site.Render(w, r, h.activityView, status, "Activity review", data)
}

// auditEventsData is the filtered audit events page.
type auditEventsData struct {
	Actor, Subject, From, To, Outcome string
	Events                            []audit.Record
	Max                               int
}

// showAuditEvents lists the audit events of an actor and/or a subject in
// a window, newest first: GET /admin/compliance/audit?actor=&subject=&from=&to=&outcome=.
// Ids and times only in the address: no PHI travels in it.
func (h *Handlers) showAuditEvents(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	q := r.URL.Query()
	from, ok1 := parseDay(q.Get("from"), time.Time{})
	to, ok2 := parseDay(q.Get("to"), time.Time{})
	outcome := audit.Outcome(q.Get("outcome"))
	if !ok1 || !ok2 || (outcome != "" && !outcome.Valid()) || len(q.Get("actor")) > 100 || len(q.Get("subject")) > 100 {
		return apperr.New(apperr.Invalid, "This list takes an account id, a subject id, two times and an outcome; one of them is not right.")
	}
	recs, err := h.people.Activity.Events(ctx, t.ID, audit.Query{ActorID: q.Get("actor"), Subject: q.Get("subject"), From: from, To: to, Outcome: outcome})
	if err != nil {
		return err
	}
	data := auditEventsData{Actor: q.Get("actor"), Subject: q.Get("subject"), From: q.Get("from"), To: q.Get("to"), Outcome: string(outcome),
		Events: recs, Max: 500}
	return h.site.Render(w, r, h.auditView, http.StatusOK, "Audit events", data)
}
