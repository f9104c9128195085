package api_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPatientAPIMatchesTheSpec checks the lists and results answers, through
// a session and through a personal token, against openapi.json on both
// engines.
func TestPatientAPIMatchesTheSpec(t *testing.T) {
	sp := loadSpec(t)
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if _, err := s.Services().Lists.Create(pctx, s.Tenant.ID, patient.ID, "Monthly"); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, s.NewPerson(t, access.RoleStoreManager).ID, doc.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
		high := 5.7
		rid, err := s.Services().Labs.Enter(dctx, s.Tenant.ID, labs.Entry{PatientID: patient.ID, ClinicianID: doc.ID, Panel: "Glycated haemoglobin",
			CollectedAt: s.Clock.Now().Add(-24 * time.Hour), Release: true,
			Observations: []labs.Observation{{LOINC: "4548-4", Name: "Hemoglobin A1c", Value: 6.1, Unit: "%", Range: labs.Range{High: &high}}}})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.Services().APITokens.Create(ctx, s.Tenant.ID, apitokens.KindPersonal, patient.ID,
			apitokens.Request{Name: "spec", Scopes: []string{"lists:read", "results:read"}, Days: "1"})
		if err != nil {
			t.Fatal(err)
		}
		session := s.ClientAs(t, patient)
		for _, c := range []struct{ path, spec, status string }{
			{"/api/v1/lists", "/lists", "200"},
			{"/api/v1/results", "/results", "200"},
			{"/api/v1/results/" + rid, "/results/{id}", "200"},
			{"/api/v1/results/" + doc.ID, "/results/{id}", "404"},
		} {
			for _, viaToken := range []bool{false, true} {
				req := s.NewRequest(t, "GET", c.path, nil)
				cl := session
				if viaToken {
					req.Header.Set("Authorization", "Bearer "+tok.Token)
					cl = s.Client()
				}
				code, got := call(t, cl, req)
				if strconv.Itoa(code) != c.status {
					t.Errorf("%s (token %v): %d %v", c.path, viaToken, code, got)
					continue
				}
				if errs := sp.validate(sp.schemaOf(t, "get", c.spec, c.status), got, "$"); len(errs) > 0 {
					t.Errorf("%s (token %v): %v", c.path, viaToken, errs)
				}
			}
		}
	})
}
