package demo_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSeedLabs: the demo patient gets two years of quarterly lipid panels
// and HbA1c results, released, some out of range, the latest new, from the
// demo clinician who cares for them; a second run adds none.
func TestSeedLabs(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		ten := &tenant.Tenant{ID: id.New(), Slug: demo.TenantSlug, Name: "Salve Demo Pharmacy", Hostnames: []string{"demo.test"},
			Theme: tenant.DefaultTheme, CreatedAt: st.Clock.Now(), UpdatedAt: st.Clock.Now()}
		if err := store.NewTenants(st.Catalog).Create(ctx, ten); err != nil {
			t.Fatal(err)
		}
		svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, auth.DefaultArgon2())
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedPeople(ctx, st.Catalog, svc.Accounts); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := demo.SeedLabs(ctx, st.Catalog, st.PHI, svc.Labs, st.Vault, st.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		u, err := store.NewUsers(st.PHI).ByEmail(ctx, ten.ID, accounts.EmailIndex(st.Vault, ten.ID, demo.People[0].Email))
		if err != nil {
			t.Fatal(err)
		}
		pctx := access.WithActor(ctx, access.Actor{ID: u.ID, Role: access.RolePatient, TenantID: ten.ID})
		reps, total, fresh, err := svc.Labs.List(pctx, ten.ID, u.ID, labs.ListLimit)
		if err != nil || total != demo.LabReports || len(reps) != demo.LabReports || fresh != 2 {
			t.Fatalf("%d reports (%d new), %v", total, fresh, err)
		}
		out := 0
		for _, r := range reps {
			if r.Worst() != labs.Normal {
				out++
			}
		}
		if out == 0 || out == len(reps) {
			t.Fatalf("%d of %d reports out of range: want some", out, len(reps))
		}
		if reps[0].CollectedAt.Before(reps[len(reps)-1].CollectedAt) || reps[len(reps)-1].CollectedAt.After(st.Clock.Now().AddDate(-1, -9, 0)) {
			t.Fatal("not two years, newest first")
		}
	})
}
