package rx

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Correct writes an accepted amendment into a verified prescription (issue
// 16, 45 CFR 164.526): field ("drug", "strength", "quantity",
// "prescriber" or "issued_on", the keys the amendment form offers) takes
// value, so that every reader (the prescriptions page, the widget, the FHIR
// copy of the record, the staff view) shows the corrected value. The old
// value stays in the amendment's history (internal/amend), not here. The
// actor in ctx must be staff who may write the patient's prescriptions; a
// value the field cannot hold is an Invalid error on the field "value" and
// changes nothing.
func (s *Service) Correct(ctx context.Context, tenantID, rxID, field, value string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, _ := access.ActorFrom(ctx)
	// Why staff only: a correction is the answer to a patient's request,
	// decided by staff who answer for the record (amend.Service.Decide).
	if a.Role == access.RolePatient {
		return apperr.NotFoundError()
	}
	r, d, err := s.authorized(ctx, tenantID, rxID, access.Write)
	if err != nil {
		return err
	}
	if r.Status != Verified {
		return apperr.NotFoundError()
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: r.ID, AuditAction: "rx.amend"})
	if err != nil {
		return err
	}
	p, err := open(h, r)
	if err != nil {
		return err
	}
	bad := func(msg string) error {
		return apperr.InvalidFields("Check the highlighted fields.", map[string]string{"value": msg})
	}
	text := func(dst *string, limit int) error {
		t, ok := oneLine(value, limit)
		if t == "" || !ok {
			return bad("Type the corrected value on one line, at most " + strconv.Itoa(limit) + " characters.")
		}
		*dst = t
		return nil
	}
	switch field {
	case "drug":
		err = text(&p.Drug, 200)
	case "strength":
		err = text(&p.Strength, 100)
	case "prescriber":
		err = text(&p.Prescriber, 200)
	case "quantity":
		q, perr := strconv.Atoi(strings.TrimSpace(value))
		if perr != nil || q < 1 || q > 10000 {
			return bad("Type the corrected quantity as a whole number from 1 to 10000.")
		}
		p.Quantity = q
	case "issued_on":
		day, perr := time.Parse(dateLayout, strings.TrimSpace(value))
		if perr != nil || day.After(s.d.Clock.Now()) {
			return bad("Type the corrected issue date as YYYY-MM-DD, not in the future.")
		}
		p.IssuedOn = day.Format(dateLayout)
	default:
		return apperr.NotFoundError()
	}
	if err != nil {
		return err
	}
	ct, err := seal(h, r.UserID, r.ID, p.Details)
	if err != nil {
		return err
	}
	return s.d.Store.Correct(ctx, tenantID, r.ID, r.Version, ct)
}
