package server

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/rx"
)

// amendTargets opens the record an amendment request is about, through the
// record's own service (which decides access for the actor and audits the
// read): a lab report's observations, a prescription's recorded details.
// Why a held report or a pending prescription has nothing to amend: the
// patient has not been given it yet (a held report is a 404 for them).
func amendTargets(lab *labs.Service, rxs *rx.Service) amend.Resolver {
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
		}
		return amend.Target{}, apperr.NotFoundError()
	}
}

// amendApply writes an accepted correction into its record through the
// record's own service (which decides the staff member's write access and
// audits the write), so that every page, widget and export reading the
// record shows the corrected value; the old value stays in the amendment.
func amendApply(lab *labs.Service, rxs *rx.Service) amend.Applier {
	return func(ctx context.Context, tenantID string, kind amend.Kind, recordID, fieldKey, value string) error {
		switch kind {
		case amend.LabResult:
			return lab.Correct(ctx, tenantID, recordID, fieldKey, value)
		case amend.Prescription:
			return rxs.Correct(ctx, tenantID, recordID, fieldKey, value)
		}
		return apperr.NotFoundError()
	}
}
