package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkRecordExport is the right of access's job for a patient with
// the demo patient's two years of data (seedRecord: quarterly lab panels,
// appointments, prescriptions, an order and a list): one request and its
// build (every section read through its audited service, the JSON archive,
// the FHIR bundle, the zip, sealing, storing), on SQLite. The budget is 60 s;
// each build is also checked against it.
//
//	go test -run '^$' -bench BenchmarkRecordExport -benchtime 20x ./internal/server
func BenchmarkRecordExport(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	h := seedRecord(b, s)
	ctx := context.Background()
	me := access.WithActor(ctx, access.Actor{ID: h.patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	var size int64
	for b.Loop() {
		s.Clock.Advance(time.Second) // each copy asked for at its own time
		start := time.Now()
		r, err := s.Services().Records.Request(me, s.Tenant.ID, h.patient.ID)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := s.Services().Records.BuildPending(ctx, 1); err != nil || n != 1 {
			b.Fatalf("build: %d %v", n, err)
		}
		if took := time.Since(start); took > 60*time.Second {
			b.Fatalf("the copy took %v, over the 60 s budget", took)
		}
		rs, err := s.Services().Records.List(me, s.Tenant.ID, h.patient.ID)
		if err != nil || len(rs) == 0 || rs[0].ID != r.ID {
			b.Fatalf("list: %v", err)
		}
		size = rs[0].Size
	}
	b.ReportMetric(float64(size), "zip-bytes")
}

// BenchmarkAccessLogPage is /account/access-log with a full page of 50
// rows (reads by the patient, a pharmacist and customer service, so that
// names are opened too) and the accounting of disclosures, through the real
// HTTP handler on SQLite, with the SQL statements per request.
//
//	go test -run '^$' -bench BenchmarkAccessLogPage -benchtime 200x ./internal/server
func BenchmarkAccessLogPage(b *testing.B) {
	s := testkit.StartServer(b, store.SQLite)
	h := seedRecord(b, s)
	cs := s.NewPerson(b, access.RoleCustomerService)
	for i := range 30 {
		who := h.pharmacist
		if i%2 == 1 {
			who = cs
		}
		c := s.ClientAs(b, who)
		path := "/staff/patients/" + h.patient.ID
		if r, _ := testkit.Do(b, c, s.NewRequest(b, "GET", path, nil)); r.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path, r.StatusCode)
		}
	}
	c := s.ClientAs(b, h.patient)
	stmts := func() uint64 {
		return s.Stores.Catalog.Statements() + s.Stores.PHI.Statements() + s.Stores.Audit.Statements()
	}
	get := func(b *testing.B) {
		req, _ := http.NewRequest("GET", s.URL+"/account/access-log", nil)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("access log: %d", resp.StatusCode)
		}
	}
	get(b)
	_, body := testkit.Do(b, c, s.NewRequest(b, "GET", "/account/access-log", nil))
	if n := len(accessRows(body)); n != 50 {
		b.Fatalf("%d rows, want a full page of 50", n)
	}
	before := stmts()
	b.ResetTimer()
	for b.Loop() {
		get(b)
	}
	b.ReportMetric(float64(stmts()-before)/float64(b.N), "stmts/op")
}
