package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
)

// Lab test codes of the demo's panels (LOINC).
const (
	LOINCCholesterol  = "2093-3"
	LOINCHDL          = "2085-9"
	LOINCLDL          = "13457-7"
	LOINCTriglyceride = "2571-8"
	LOINCHbA1c        = "4548-4"
)

// LabReports is how many reports SeedLabs gives the demo patient: a lipid
// panel and an HbA1c every quarter for two years.
const LabReports = 16

// SeedLabs gives the demo patient two years of lab results, released, from
// the demo clinician (who gets a care relationship with the patient): a
// lipid panel and an HbA1c every quarter, some out of range, the latest two
// new. Unless the patient has results already. Why one call: the labs
// service stores them in one transaction with one audited vault access, so
// the demo's first start stays fast.
func SeedLabs(ctx context.Context, catalog, phiDB *store.DB, svc *labs.Service, ix phi.Indexer, now time.Time) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	users := store.NewUsers(phiDB)
	find := func(role access.Role) (string, error) {
		for _, p := range People {
			if p.Role == role {
				u, err := users.ByEmail(ctx, t.ID, accounts.EmailIndex(ix, t.ID, p.Email))
				return u.ID, err
			}
		}
		return "", fmt.Errorf("no demo %s", role)
	}
	patient, err := find(access.RolePatient)
	if err != nil {
		return fmt.Errorf("demo patient: %w", err)
	}
	doc, err := find(access.RoleClinician)
	if err != nil {
		return fmt.Errorf("demo clinician: %w", err)
	}
	if _, n, _, err := store.NewLabs(phiDB).Released(ctx, t.ID, patient, 1); err != nil || n > 0 {
		return err
	}
	if err := store.NewLinks(phiDB).AddCare(ctx, t.ID, doc, patient, now); err != nil {
		return err
	}
	ctx = access.WithActor(ctx, access.System("demo.labs", t.ID))
	_, err = svc.EnterAll(ctx, t.ID, LabHistory(patient, doc, now))
	return err
}

// LabHistory is two years of quarterly lipid panels and HbA1c results for a
// patient, oldest first, the latest two new: LDL falling from high into
// range, HbA1c rising into the prediabetes range, one triglyceride spike.
func LabHistory(patientID, clinicianID string, now time.Time) []labs.Entry {
	f := func(v float64) *float64 { return &v }
	ldl := []float64{168, 162, 151, 139, 131, 118, 104, 96}
	hdl := []float64{38, 41, 43, 44, 47, 49, 52, 55}
	tg := []float64{180, 165, 242, 150, 140, 128, 121, 110}
	a1c := []float64{5.4, 5.5, 5.5, 5.7, 5.8, 5.9, 6.1, 5.9}
	var out []labs.Entry
	for q := range 8 {
		at := now.AddDate(0, -3*(8-q), 0).Truncate(24 * time.Hour).Add(8*time.Hour + 30*time.Minute)
		chol := ldl[q] + hdl[q] + tg[q]/5
		seen := q < 7
		out = append(out, labs.Entry{PatientID: patientID, ClinicianID: clinicianID, Panel: "Lipid panel", CollectedAt: at,
			ReceivedAt: at.Add(26 * time.Hour), Release: true, Seen: seen, Observations: []labs.Observation{
				{LOINC: LOINCCholesterol, Name: "Total cholesterol", Value: chol, Unit: "mg/dL", Range: labs.Range{High: f(200)}},
				{LOINC: LOINCHDL, Name: "HDL cholesterol", Value: hdl[q], Unit: "mg/dL", Range: labs.Range{Low: f(40)}},
				{LOINC: LOINCLDL, Name: "LDL cholesterol", Value: ldl[q], Unit: "mg/dL", Range: labs.Range{High: f(100)}, Critical: labs.Range{High: f(400)}},
				{LOINC: LOINCTriglyceride, Name: "Triglycerides", Value: tg[q], Unit: "mg/dL", Range: labs.Range{High: f(150)}, Critical: labs.Range{High: f(1000)}},
			}},
			labs.Entry{PatientID: patientID, ClinicianID: clinicianID, Panel: "Hemoglobin A1c", CollectedAt: at,
				ReceivedAt: at.Add(27 * time.Hour), Release: true, Seen: seen, Observations: []labs.Observation{
					{LOINC: LOINCHbA1c, Name: "Hemoglobin A1c", Value: a1c[q], Unit: "%", Range: labs.Range{Low: f(4), High: f(5.6)}, Critical: labs.Range{High: f(14)}},
				}})
	}
	return out
}
