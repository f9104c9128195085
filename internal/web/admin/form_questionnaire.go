package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
)

// downloadQuestionnaire serves GET /admin/forms/{id}/questionnaire: the
// form's current version as a FHIR R4 Questionnaire (no answers: catalog
// data), for an EHR or an integration to import.
func (h *FormPages) downloadQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	f, err := h.forms.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := forms.JSON(f.Questionnaire())
	if err != nil {
		return err
	}
	// Why this is no XSS: the body is JSON served as application/fhir+json,
	// as an attachment, under nosniff; a browser never renders it as HTML.
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Header().Set("Content-Disposition", `attachment; filename="questionnaire.json"`)
	_, err = w.Write(b) //nolint:gosec // see above
	return err
}
