package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// saveIncidentLetter saves the notice letter's text: POST
// /admin/compliance/incidents/{id}/letter (what_happened, information,
// steps, doing, contact: the parts 164.404(c) requires).
func (h *Handlers) saveIncidentLetter(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	id := r.PathValue("id")
	if _, err := h.people.Incidents.SetLetter(r.Context(), t.ID, id, incidents.Letter{WhatHappened: f.Value("what_happened"),
		Information: f.Value("information"), Steps: f.Value("steps"), Doing: f.Value("doing"), Contact: f.Value("contact")}); err != nil {
		return h.failIncident(w, r, f, "letter", err)
	}
	return seeOther(w, r, "/admin/compliance/incidents/"+id, "letter")
}
