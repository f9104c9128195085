package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// patientsData is the patient search page.
type patientsData struct {
	Form *web.Form
	// Searched is true once a search ran (an empty Found then says so).
	Searched bool
	Found    []foundRow
}

// foundRow is one patient a search found.
type foundRow struct {
	ID, Name, Email string
}

// showPatients renders the patient search form: GET /staff/patients.
func (h *Handlers) showPatients(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.pages.patients, http.StatusOK, "Find a patient", patientsData{Form: &web.Form{}})
}

// findPatients searches: POST /staff/patients. Why a POST and not a GET
// with the terms in the query string: a name or an address in a URL would
// land in browser history, proxy and server logs (no PHI in URLs).
func (h *Handlers) findPatients(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	found, err := h.patients.Find(r.Context(), t.ID, patients.Query{Name: f.Value("name"), DOB: f.Value("dob"), Email: f.Value("email"), OrderRef: f.Value("ref")})
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.render(w, r, h.pages.patients, status, "Find a patient", patientsData{Form: f})
	}
	d := patientsData{Form: f, Searched: true}
	for _, p := range found {
		d.Found = append(d.Found, foundRow{ID: p.ID, Name: p.Name.Reveal(), Email: p.Email.Reveal()})
	}
	return h.render(w, r, h.pages.patients, http.StatusOK, "Find a patient", d)
}
