package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxBundle is the largest FHIR bundle the API takes.
const MaxBundle = 4 << 20

// Clinical serves the FHIR endpoints of clinical data.
type Clinical struct {
	labs *labs.Service
}

// NewClinical returns the FHIR endpoints on the lab results service.
func NewClinical(l *labs.Service) *Clinical { return &Clinical{labs: l} }

// Routes registers POST /api/v1/fhir/Bundle: a clinician's import of lab
// reports (DiagnosticReport + Observation). Why class Staff with a session
// and not API with a token: an import writes clinical records, which only a clinician who passed MFA may (the labs
// service checks the care relationship with each patient again). Its
// answers, errors included, are JSON.
func (c *Clinical) Routes(rt *httpx.Router) {
	rt.Handle(access.Staff, "POST /api/v1/fhir/Bundle", c.importBundle, httpx.JSON(), httpx.MaxBody(MaxBundle),
		httpx.Roles(access.RoleClinician))
}

// ImportResult is the answer to an import: the new reports' ids.
type ImportResult struct {
	Reports []string `json:"reports"`
}

// importBundle imports a FHIR R4 bundle: all or nothing, each problem named
// with its line, column and field (a 422 problem whose fields say where).
func (c *Clinical) importBundle(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.Wrap(err, apperr.Invalid, "The bundle could not be read.")
	}
	ids, err := c.labs.Import(r.Context(), tenant.FromContext(r.Context()).ID, body)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusCreated, ImportResult{Reports: ids})
}
