package staff

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Forms is the staff page of a patient's sent forms (issue 18): the answers
// the member of staff may read, as each form's data class decides. Kept
// apart from Handlers so that forms keep to their own files; routes in
// routes.go (Forms.Routes).
type Forms struct {
	site  *web.Site
	forms *forms.Service
	page  *render.Page
	// pageResponses lists the responses to a landing-page form.
	pageResponses *render.Page
}

// NewForms returns the page; a missing template fails here.
func NewForms(site *web.Site, svc *forms.Service) (*Forms, error) {
	h := &Forms{site: site, forms: svc}
	if err := site.Pages(map[string]**render.Page{"staff/patient_forms": &h.page, "staff/page_form_responses": &h.pageResponses}); err != nil {
		return nil, err
	}
	return h, nil
}

// patientFormsData is a patient's sent forms as staff see them.
type patientFormsData struct {
	PatientID string
	Sent      []forms.Answered
}

// showPatientForms renders GET /staff/patients/{id}/forms: the patient's sent
// forms whose data class the member of staff may read (a form of another
// class is left out, as if it did not exist); forms sent but none readable
// is the plain 404 (the denial audited), and no forms at all says so. One
// audited vault access opens them.
func (h *Forms) showPatientForms(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	sent, err := h.forms.Responses(r.Context(), tenant.FromContext(r.Context()).ID, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.page, http.StatusOK, "Forms sent", patientFormsData{PatientID: id, Sent: sent})
}

// FormReaders are the staff roles who may read some class a form may
// declare (forms.AnswerClasses); which answers each reads is decided per
// form.
var FormReaders = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician, access.RoleFulfillment}

// Routes registers the page. Why these roles: they are the staff whose
// work reads some class a form may declare (customer service: contact,
// orders, billing; pharmacists: contact, orders, prescriptions; clinicians:
// contact, clinical, prescriptions, with a care relationship; fulfillment:
// orders). Store managers, admins and compliance read no answers.
func (h *Forms) Routes(rt *httpx.Router) {
	rt.Handle(access.Staff, "GET /staff/patients/{id}/forms", h.showPatientForms, httpx.Roles(FormReaders...))
	rt.Handle(access.Staff, "GET /staff/forms/{id}/responses", h.showPageResponses, httpx.Roles(FormReaders...))
}
