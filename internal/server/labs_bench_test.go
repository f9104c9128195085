package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkResultsPage is the lab results page of a patient with 20 reports
// through the real HTTP handler on SQLite (session, policy, decryption and
// audit included), with the SQL statements per request; then each of those
// four costs alone, to say which costs most:
//
//	go test -run '^$' -bench BenchmarkResultsPage ./internal/server
func BenchmarkResultsPage(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	ctx := context.Background()
	patient := s.NewPerson(b, access.RolePatient)
	doc := s.NewPerson(b, access.RoleClinician)
	giveCare(b, s, s.Tenant, doc.ID, patient.ID)
	dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	history := demo.LabHistory(patient.ID, doc.ID, s.Clock.Now())
	history = append(history, history[:4]...) // 20 reports
	if _, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, history); err != nil {
		b.Fatal(err)
	}
	c := s.ClientAs(b, patient)
	stmts := func() uint64 {
		return s.Stores.Catalog.Statements() + s.Stores.PHI.Statements() + s.Stores.Audit.Statements()
	}
	get := func(b *testing.B) {
		req, _ := http.NewRequest("GET", s.URL+"/account/results", nil)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("results page: %d", resp.StatusCode)
		}
	}
	pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})

	b.Run("page", func(b *testing.B) {
		get(b) // warm
		before := stmts()
		cpu0 := testkit.ProcessCPU()
		b.ResetTimer()
		for b.Loop() {
			get(b)
		}
		b.ReportMetric(float64(stmts()-before)/float64(b.N), "stmts/op")
		b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("session", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Services().SignIn.Lookup(ctx, s.Tenant.ID, patient.Token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("policy", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Services().Grants.Authorize(pctx, s.Tenant.ID, patient.ID, access.DataClinical, access.Read); err != nil {
				b.Fatal(err)
			}
		}
	})
	recs, _, _, err := store.NewLabs(s.Stores.PHI).Released(ctx, s.Tenant.ID, patient.ID, labs.ListLimit)
	if err != nil || len(recs) != 20 {
		b.Fatalf("%d reports, %v", len(recs), err)
	}
	b.Run("decrypt", func(b *testing.B) {
		// The data key is unwrapped by Access (with its audit event) once per
		// request; here a handle's opening of 20 reports, the rest of it.
		h, err := s.Vault().Access(pctx, phi.Request{TenantID: s.Tenant.ID, Subjects: []string{patient.ID}, Action: access.Read,
			Purpose: access.PurposeSelf, Resource: "lab_report", AuditAction: "lab_report.list"})
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			for _, r := range recs {
				if _, err := h.OpenBytes(r.PatientID, "lab_reports", "details_ct", r.ID, r.DetailsCT); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("audit", func(b *testing.B) {
		for b.Loop() {
			if err := s.AuditLog().Append(pctx, audit.Entry{TenantID: s.Tenant.ID, Subjects: []string{patient.ID}, Action: "lab_report.list",
				ResourceType: "lab_report", Purpose: access.PurposeSelf, Outcome: audit.Allowed}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
