package demo_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSeedMessageTeams: the demo gets its three message teams, each with
// its demo member; a second run adds none.
func TestSeedMessageTeams(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
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
			if err := demo.SeedMessageTeams(ctx, st.Catalog, st.PHI, st.Vault, svc.Messages); err != nil {
				t.Fatal(err)
			}
		}
		ten, err := store.NewTenants(st.Catalog).BySlug(ctx, demo.TenantSlug)
		if err != nil {
			t.Fatal(err)
		}
		teams, err := store.NewMessages(st.PHI).Teams(ctx, ten.ID)
		if err != nil || len(teams) != len(demo.MessageTeams) {
			t.Fatalf("teams: %+v %v", teams, err)
		}
		for _, tm := range teams {
			if len(tm.Members) != 1 {
				t.Errorf("%s: %d members", tm.Name, len(tm.Members))
			}
		}
	})
}
