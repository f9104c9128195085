package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// BenchmarkWidgetReads is the PHI store reads of a patient's dashboard
// widgets that return rows with timestamps (orders, prescriptions, released
// lab reports, lists), on SQLite: one op reads each once. It measures the
// store's side of a view (the driver, scanning) without HTTP, decryption or
// audit.
func BenchmarkWidgetReads(b *testing.B) {
	ctx := context.Background()
	db := testkit.OpenStore(b, store.SQLite, store.PHI)
	tid, pid := id.New(), id.New()
	ctx = tenant.WithScope(ctx, tid)
	now := time.Now().UTC()
	ct := make([]byte, 400)
	os, rs, ls := store.NewOrders(db), store.NewRx(db), store.NewLabs(db)
	for i := range 5 {
		at := now.Add(-time.Duration(i) * time.Hour)
		if err := os.Insert(ctx, orders.Record{ID: id.New(), TenantID: tid, UserID: pid, Reference: id.New()[24:], Status: orders.Status("paid"),
			Gateway: "invoice", DetailsCT: ct, CreatedAt: at, UpdatedAt: at}); err != nil {
			b.Fatal(err)
		}
		if err := rs.Insert(ctx, rx.Record{ID: id.New(), TenantID: tid, UserID: pid, Status: rx.Status("verified"), Source: rx.Source("upload"),
			DetailsCT: ct, FillsLeft: 2, DaysSupply: 30, ExpiresAt: at.AddDate(1, 0, 0), LastFillAt: at, Version: 1, CreatedAt: at, UpdatedAt: at}, nil); err != nil {
			b.Fatal(err)
		}
		if err := rs.Insert(ctx, rx.Record{ID: id.New(), TenantID: tid, UserID: pid, Status: rx.Status("verified"), Source: rx.Source("upload"),
			DetailsCT: ct, Version: 1, CreatedAt: at, UpdatedAt: at}, nil); err != nil {
			b.Fatal(err)
		}
		if err := store.NewLabs(db).Insert(ctx, []labs.Record{{ID: id.New(), TenantID: tid, PatientID: pid, ClinicianID: id.New(), Status: labs.Released,
			DetailsCT: ct, CreatedAt: at, ReleasedAt: at}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.NewLists(db).Insert(ctx, lists.Record{ID: id.New(), TenantID: tid, UserID: pid, Kind: "wish", NameCT: ct, ItemsCT: ct,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		b.Fatal(err)
	}
	ln := store.NewLists(db)
	cpu0 := testkit.ProcessCPU()
	b.ResetTimer()
	for b.Loop() {
		if o, err := os.ByOwner(ctx, tid, pid, 200); err != nil || len(o) != 5 {
			b.Fatal(len(o), err)
		}
		if r, err := rs.ByOwner(ctx, tid, pid, 200); err != nil || len(r) != 10 {
			b.Fatal(len(r), err)
		}
		if r, total, _, err := ls.Released(ctx, tid, pid, 5); err != nil || len(r) != 5 || total != 5 {
			b.Fatal(len(r), total, err)
		}
		if l, err := ln.ByOwner(ctx, tid, pid); err != nil || len(l) != 1 {
			b.Fatal(len(l), err)
		}
	}
	b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
