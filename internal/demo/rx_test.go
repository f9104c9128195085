package demo_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSeedPrescriptions: the demo patient gets two verified prescriptions,
// one with its refill due and a Refill action, one expired; a second run
// adds none.
func TestSeedPrescriptions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		// The demo tenant answers the address the test's own tenant does.
		if _, err := st.Catalog.Writer().ExecContext(ctx, `DELETE FROM tenants WHERE id = $1`, st.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Seed(ctx, st.Catalog, st.Clock); err != nil {
			t.Fatal(err)
		}
		svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, testkit.TestArgon2)
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedPeople(ctx, st.Catalog, svc.Accounts); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := demo.SeedPrescriptions(ctx, st.Catalog, st.PHI, st.Vault, st.AuditLog, svc.Grants, st.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		ten, err := store.NewTenants(st.Catalog).BySlug(ctx, demo.TenantSlug)
		if err != nil {
			t.Fatal(err)
		}
		u, err := store.NewUsers(st.PHI).ByEmail(ctx, ten.ID, accounts.EmailIndex(st.Vault, ten.ID, demo.People[0].Email))
		if err != nil {
			t.Fatal(err)
		}
		me := access.WithActor(ctx, access.Actor{ID: u.ID, Role: access.RolePatient, TenantID: ten.ID})
		sum, err := svc.Rx.Summary(me, ten.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 2 || len(sum.Lines) != 2 {
			t.Fatalf("%d prescriptions, want 2: %+v", sum.Total, sum)
		}
		if l := sum.Lines[0]; l.Badge != "Refill due" || l.Action == nil {
			t.Errorf("first line: %+v", l)
		}
		if l := sum.Lines[1]; l.Badge != "Expired" || l.Action != nil {
			t.Errorf("second line: %+v", l)
		}
	})
}
