package staff

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// breakGlassData is the emergency access page of clinicians and pharmacists.
type breakGlassData struct {
	Form  *web.Form
	Until time.Time
	// GrantID is the grant just made, PatientID its patient: the
	// confirmation links to what it opens.
	GrantID, PatientID string
	// Minutes and MinReason are the brand's break-glass policy.
	Minutes, MinReason int
}

// withPolicy fills in the brand's break-glass policy for the page.
func withPolicy(r *http.Request, d breakGlassData) breakGlassData {
	lasts, minReason := grants.Policy(tenant.FromContext(r.Context()))
	d.Minutes, d.MinReason = int(lasts/time.Minute), minReason
	return d
}

// showBreakGlass renders the emergency access form.
func (h *Handlers) showBreakGlass(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.pages.breakGlass, http.StatusOK, "Emergency access", withPolicy(r, breakGlassData{Form: &web.Form{}}))
}

// breakGlass opens a patient's clinical record for an hour, after a fresh
// second factor and with a stated reason.
func (h *Handlers) breakGlass(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.render(w, r, h.pages.breakGlass, status, "Emergency access", withPolicy(r, breakGlassData{Form: f}))
	}
	patientID, err := h.grants.FindPatient(r.Context(), t.ID, f.Value("email"))
	if err != nil {
		return fail(err)
	}
	opened, err := h.grants.BreakGlass(r.Context(), t, sess, patientID, f.Value("reason"))
	if err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			f.Message = "Confirm your password and a fresh code from your authenticator first, then submit again."
			f.Errors = map[string]string{"code": "Enter the current code."}
			return h.render(w, r, h.pages.breakGlass, http.StatusUnauthorized, "Emergency access", withPolicy(r, breakGlassData{Form: f}))
		}
		return fail(err)
	}
	return h.render(w, r, h.pages.breakGlass, http.StatusOK, "Emergency access", withPolicy(r, breakGlassData{Form: &web.Form{Done: "Emergency access granted."},
		Until: opened.Until, GrantID: opened.ID, PatientID: patientID}))
}
