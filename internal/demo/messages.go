package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
)

// MessageTeams are the demo's message teams (issue 16) and the demo
// account on each: patients write to the pharmacy, customer service or the
// demo clinician's care team.
var MessageTeams = []struct {
	Name string
	Kind messaging.TeamKind
	Role access.Role
}{
	{"Pharmacy", messaging.KindPharmacy, access.RolePharmacist},
	{"Customer service", messaging.KindService, access.RoleCustomerService},
	{"Dr Demo's care team", messaging.KindCare, access.RoleClinician},
}

// SeedMessageTeams creates the demo's message teams with their members,
// as the demo admin would on /admin/messages/teams, unless the tenant has
// teams already (an earlier run). It runs after SeedPeople.
func SeedMessageTeams(ctx context.Context, catalogDB, phiDB *store.DB, ix phi.Indexer, svc *messaging.Service) error {
	t, err := store.NewTenants(catalogDB).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	if have, err := svc.TeamNames(ctx, t.ID); err != nil || len(have) > 0 {
		return err
	}
	users := store.NewUsers(phiDB)
	idOf := func(role access.Role) (string, error) {
		i := slices.IndexFunc(People, func(p Person) bool { return p.Role == role })
		u, err := users.ByEmail(ctx, t.ID, accounts.EmailIndex(ix, t.ID, People[i].Email))
		return u.ID, err
	}
	adminID, err := idOf(access.RoleAdmin)
	if err != nil {
		return fmt.Errorf("demo admin: %w", err)
	}
	admin := access.WithActor(ctx, access.Actor{ID: adminID, Role: access.RoleAdmin, TenantID: t.ID})
	for _, mt := range MessageTeams {
		team, err := svc.CreateTeam(admin, t.ID, mt.Name, mt.Kind)
		if err != nil {
			return fmt.Errorf("demo team %s: %w", mt.Name, err)
		}
		member, err := idOf(mt.Role)
		if err != nil {
			return fmt.Errorf("demo %s: %w", mt.Role, err)
		}
		if err := svc.AddMember(admin, t.ID, team.ID, member); err != nil {
			return fmt.Errorf("demo team %s: %w", mt.Name, err)
		}
	}
	return nil
}
