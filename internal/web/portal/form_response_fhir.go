package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// downloadResponse serves GET /account/forms/responses/{id}/fhir: one of the
// patient's own sent forms as a FHIR R4 QuestionnaireResponse, with the
// Questionnaire it answered, as a download (no-store: it is their PHI).
func (h *Forms) downloadResponse(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	a, err := h.forms.Response(r.Context(), tenant.FromContext(r.Context()).ID, sess.UserID, r.PathValue("id"))
	if err != nil {
		return err
	}
	qr, err := a.QuestionnaireResponse(a.Form)
	if err != nil {
		return err
	}
	b, err := forms.JSON(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": []map[string]any{
		{"resource": a.Form.Questionnaire()}, {"resource": qr}}})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Header().Set("Content-Disposition", `attachment; filename="form-response.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}
