package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// incidentsData is the incident register page.
type incidentsData struct {
	Form      *web.Form
	Rows      []incidentRow
	Systems   []string
	Classes   []string
	Types     []string
	Years     []int
	Today     string
	Done      string
	OpenCount int
}

// incidentRow is one incident with its obligations (for a breach).
type incidentRow struct {
	incidents.Incident
	Due incidents.Obligations
}

// Checked reports whether a box of a multi-valued field was ticked (after
// a failed submit).
func (d incidentsData) Checked(name, value string) bool {
	if d.Form == nil || d.Form.Values == nil {
		return false
	}
	for _, v := range d.Form.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// showIncidents renders GET /admin/compliance/incidents: the register,
// newest discovery first, each breach with its deadline (overdue flagged),
// the form to record an incident and the HHS log export.
func (h *Handlers) showIncidents(w http.ResponseWriter, r *http.Request) error {
	done := map[string]string{"closed": "The incident was closed."}[r.URL.Query().Get("done")]
	return h.incidentsPage(w, r, http.StatusOK, incidentsData{Form: &web.Form{}, Done: done})
}

func (h *Handlers) incidentsPage(w http.ResponseWriter, r *http.Request, status int, d incidentsData) error {
	t := tenant.FromContext(r.Context())
	svc := h.people.Incidents
	list, err := svc.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for _, inc := range list {
		d.Rows = append(d.Rows, incidentRow{Incident: inc, Due: svc.Obligations(inc)})
		if inc.Status == incidents.Open {
			d.OpenCount++
		}
	}
	now := svc.Now()
	d.Systems, d.Classes, d.Types, d.Today = incidents.Systems, incidents.DataClasses, incidents.BreachTypes, now.UTC().Format(incidents.DateLayout)
	for y := now.Year(); y >= now.Year()-5; y-- {
		d.Years = append(d.Years, y)
	}
	if d.Form == nil {
		d.Form = &web.Form{}
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.incidentsView, status, "Incidents", d)
}

// exportHHSLog downloads the breaches of a year as CSV for HHS: GET
// /admin/compliance/incidents/hhs-log.csv?year=YYYY (this year when
// absent). One row per breach: counts, dates, type, location, notices; no
// person's name or id.
func (h *Handlers) exportHHSLog(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	year := h.people.Incidents.Now().Year()
	if y := r.URL.Query().Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 9999 {
			return h.incidentsPage(w, r, http.StatusBadRequest, incidentsData{Form: &web.Form{Message: "Choose a year from the list."}})
		}
		year = n
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="hhs-breach-log-`+strconv.Itoa(year)+`.csv"`)
	hd.Set("Cache-Control", "no-store")
	_, err := h.people.Incidents.HHSLog(r.Context(), t.ID, year, w)
	return err
}
