package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// incidentData is one incident's page: its facts, the clock and
// thresholds, and the forms of each step (select the people affected,
// assess, write the letter, notify, close).
type incidentData struct {
	Inc    incidents.Incident
	Due    incidents.Obligations
	People []incidents.Person
	Today  string
	Done   string
	// Failed names the form of a failed submit ("select", "assess",
	// "letter", "notify", "close"); Form holds what was typed there.
	Failed string
	Form   *web.Form
	Kinds  [][2]string
}

// Val is what field name of form which shows: what was typed after a
// failed submit of that form, else what is on file.
func (d incidentData) Val(which, name string) string {
	if d.Failed == which && d.Form != nil && d.Form.Values != nil {
		return d.Form.Value(name)
	}
	a, l := d.Inc.Assessment, d.Inc.Letter
	return map[string]string{"nature": a.Nature, "recipient": a.Recipient, "acquired": a.Acquired, "mitigation": a.Mitigation,
		"conclusion": string(a.Conclusion), "what_happened": l.WhatHappened, "information": l.Information, "steps": l.Steps,
		"doing": l.Doing, "contact": l.Contact}[name]
}

// Err is field name's error in form which, after a failed submit.
func (d incidentData) Err(which, name string) string {
	if d.Failed == which {
		return d.Form.Error(name)
	}
	return ""
}

// Message is form which's message after a failed submit.
func (d incidentData) Message(which string) string {
	if d.Failed == which && d.Form != nil {
		return d.Form.Message
	}
	return ""
}

// incidentArea is one text area of the incident page's forms.
type incidentArea struct {
	D                       incidentData
	Form, Name, Label, Hint string
}

// Area builds the data of one text area of form which.
func (d incidentData) Area(which, name, label, hint string) incidentArea {
	return incidentArea{D: d, Form: which, Name: name, Label: label, Hint: hint}
}

// Window names the two ends of the selection's window.
func (d incidentData) Window() []string { return []string{"from", "to"} }

// Sections are the letter's parts as the portal shows them.
func (d incidentData) Sections() [][2]string { return incidents.LetterSections(d.Inc.Letter) }

// showIncident renders GET /admin/compliance/incidents/{id}. Opening it
// reads the sealed list of people affected (audited), to link each
// person's letter; another tenant's incident is the plain 404.
func (h *Handlers) showIncident(w http.ResponseWriter, r *http.Request) error {
	done := map[string]string{"created": "The incident was recorded. Next: select the people affected.", "selected": "The people affected were selected.",
		"assessed": "The risk assessment was saved.", "letter": "The notice letter was saved.", "notified": "The notices were sent."}[r.URL.Query().Get("done")]
	return h.incidentPage(w, r, http.StatusOK, incidentData{Done: done})
}

func (h *Handlers) incidentPage(w http.ResponseWriter, r *http.Request, status int, d incidentData) error {
	t := tenant.FromContext(r.Context())
	svc := h.people.Incidents
	inc, err := svc.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	people, err := svc.Affected(r.Context(), t.ID, inc.ID)
	if err != nil {
		return err
	}
	d.Inc, d.Due, d.People, d.Today = inc, svc.Obligations(inc), people, svc.Now().UTC().Format("2006-01-02T15:04")
	d.Kinds = [][2]string{{string(incidents.ByAccount), "Records one account accessed"}, {string(incidents.Everyone), "Records anyone accessed"}}
	if d.Form == nil {
		d.Form = &web.Form{}
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.incidentView, status, "Incident: "+inc.Title, d)
}

// failIncident shows the incident page again after a failed submit of
// form which, keeping what was typed.
func (h *Handlers) failIncident(w http.ResponseWriter, r *http.Request, f *web.Form, which string, err error) error {
	status, err := f.Fail(err)
	if err != nil {
		return err
	}
	return h.incidentPage(w, r, status, incidentData{Failed: which, Form: f})
}
