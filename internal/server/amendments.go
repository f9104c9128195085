package server

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
)

// amendTargets opens the record an amendment request is about, through the
// record's own service (which decides access for the actor and audits the
// read): a lab report's observations, a prescription's recorded details.
// Why a held report or a pending prescription has nothing to amend: the
// patient has not been given it yet (a held report is a 404 for them).
func amendTargets(lab *labs.Service, rxs *rx.Service, ids *Identity) amend.Resolver {
	return func(ctx context.Context, tenantID string, kind amend.Kind, recordID string) (amend.Target, error) {
		switch kind {
		case amend.LabResult:
			rep, err := lab.Get(ctx, tenantID, recordID)
			if err != nil {
				return amend.Target{}, err
			}
			t := amend.Target{PatientID: rep.PatientID, Title: rep.Panel}
			for _, o := range rep.Observations {
				t.Fields = append(t.Fields, amend.Field{Key: o.ID, Label: o.Name, Value: o.ValueText()})
			}
			return t, nil
		case amend.Prescription:
			p, err := rxs.Get(ctx, tenantID, recordID)
			if err != nil {
				return amend.Target{}, err
			}
			if p.Status != rx.Verified {
				return amend.Target{}, apperr.NotFoundError()
			}
			t := amend.Target{PatientID: p.UserID, Title: p.Title()}
			add := func(key, label, value string) {
				if value != "" {
					t.Fields = append(t.Fields, amend.Field{Key: key, Label: label, Value: value})
				}
			}
			add("drug", "Drug", p.Drug)
			add("strength", "Strength", p.Strength)
			add("quantity", "Quantity per fill", strconv.Itoa(p.Quantity))
			add("prescriber", "Prescriber", p.Prescriber)
			add("issued_on", "Issued on", p.IssuedOn)
			return t, nil
		case amend.Profile:
			return profileTarget(ctx, ids, tenantID, recordID)
		}
		return amend.Target{}, apperr.NotFoundError()
	}
}

// amendApply writes an accepted correction into its record through the
// record's own service (which decides the staff member's write access and
// audits the write), so that every page, widget and export reading the
// record shows the corrected value; the old value stays in the amendment.
func amendApply(lab *labs.Service, rxs *rx.Service, ids *Identity) amend.Applier {
	return func(ctx context.Context, tenantID string, kind amend.Kind, recordID, fieldKey, value string) error {
		switch kind {
		case amend.LabResult:
			return lab.Correct(ctx, tenantID, recordID, fieldKey, value)
		case amend.Prescription:
			return rxs.Correct(ctx, tenantID, recordID, fieldKey, value)
		case amend.Profile:
			// The profile has no service that decides access itself: the
			// decision is taken here, as the other kinds' services take it
			// (write on the contact class: customer service in its tenant).
			d, err := ids.Grants.Authorize(ctx, tenantID, recordID, access.DataContact, access.Write)
			if err != nil {
				return err
			}
			return ids.Accounts.CorrectProfile(ctx, tenantID, recordID, fieldKey, value, d.Purpose)
		}
		return apperr.NotFoundError()
	}
}

// profileTarget opens a patient's profile for an amendment request by the
// actor in ctx: the patient themselves, or a proxy with the contact scope
// (decided here: accounts.Account opens what it is asked to). Every
// amendable field is listed, an empty one too (a missing allergy is worth
// correcting). Anyone else, and a staff account, is the same 404.
func profileTarget(ctx context.Context, ids *Identity, tenantID, patientID string) (amend.Target, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := ids.Grants.Authorize(ctx, tenantID, patientID, access.DataContact, access.Read)
	if err != nil {
		return amend.Target{}, err
	}
	acct, err := ids.Accounts.Account(ctx, tenantID, patientID, d.Purpose)
	if err != nil {
		return amend.Target{}, err
	}
	if acct.Role != access.RolePatient {
		return amend.Target{}, apperr.NotFoundError()
	}
	t := amend.Target{PatientID: patientID, Title: "Profile"}
	for _, f := range accounts.ProfileFields {
		t.Fields = append(t.Fields, amend.Field{Key: f.Key, Label: f.Label, Value: f.Value(acct)})
	}
	return t, nil
}
