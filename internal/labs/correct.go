package labs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Correct writes an accepted amendment into a report (issue 16, 45 CFR
// 164.526): the observation obsID takes value (a number, optionally
// followed by the observation's unit) and its flag is computed again, so
// that every reader (the result page, the trend, the dashboard widget, the
// FHIR copy of the record, the staff view) shows the corrected value. The
// old value stays in the amendment's history (internal/amend), not here.
// The actor in ctx must be staff who may write the patient's clinical data;
// a value that is no number is an Invalid error on the field "value" and
// changes nothing.
func (s *Service) Correct(ctx context.Context, tenantID, reportID, obsID, value string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.ByID(ctx, tenantID, reportID)
	if err != nil {
		return err
	}
	a, _ := access.ActorFrom(ctx)
	// Why staff only: a correction is the answer to a patient's request,
	// decided by staff who answer for the record (amend.Service.Decide).
	if a.Role == access.RolePatient {
		return apperr.NotFoundError()
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, r.PatientID, access.DataClinical, access.Write)
	if err != nil {
		return err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.PatientID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "lab_report", ResourceID: r.ID, AuditAction: "lab_report.amend"})
	if err != nil {
		return err
	}
	rep, err := open(h, r)
	if err != nil {
		return err
	}
	i := -1
	for j := range rep.Observations {
		if rep.Observations[j].ID == obsID {
			i = j
		}
	}
	if i < 0 {
		return apperr.NotFoundError()
	}
	o := &rep.Observations[i]
	v, ok := ParseNumber(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), o.Unit)))
	if !ok || v == nil {
		return apperr.InvalidFields("Check the highlighted fields.", map[string]string{
			"value": "Type the corrected value as a number in " + o.Unit + ", such as 5.4: it replaces the value in the record."})
	}
	o.Value = *v
	o.Flag = ComputeFlag(o.Value, o.Range, o.Critical)
	body, err := json.Marshal(rep.Details)
	if err != nil {
		return fmt.Errorf("lab report %s: %w", r.ID, err)
	}
	next, err := h.SealBytes(r.PatientID, "lab_reports", "details_ct", r.ID, body)
	if err != nil {
		return err
	}
	return s.d.Store.Correct(ctx, tenantID, r.ID, r.DetailsCT, next)
}
