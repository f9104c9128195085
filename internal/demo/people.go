package demo

import (
	"context"
	"errors"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/store"
)

// Person is a demo account whose credentials the demo prints. They exist only
// in the demo's own data directory: `salve serve` never creates accounts.
type Person struct {
	Role     access.Role
	Email    string
	Password string
}

// People are the demo's accounts.
var People = []Person{
	{Role: access.RolePatient, Email: "patient@salve-demo.example", Password: "demo patient password"},
	{Role: access.RoleAdmin, Email: "admin@salve-demo.example", Password: "demo admin password"},
	{Role: access.RolePharmacist, Email: "pharmacist@salve-demo.example", Password: "demo pharmacist password"},
	{Role: access.RoleStoreManager, Email: "manager@salve-demo.example", Password: "demo manager password"},
	{Role: access.RoleFulfillment, Email: "fulfillment@salve-demo.example", Password: "demo fulfillment password"},
	{Role: access.RoleCustomerService, Email: "service@salve-demo.example", Password: "demo service password"},
}

// SeedPeople creates the demo accounts in the demo tenant unless they exist.
func SeedPeople(ctx context.Context, catalog *store.DB, people *accounts.Service) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	for _, p := range People {
		_, err := people.CreateUser(ctx, t.ID, p.Role, p.Email, "Demo "+string(p.Role), p.Password)
		if e := apperr.As(err); e != nil && e.Fields["email"] != "" {
			continue // made on an earlier run
		}
		if err != nil {
			return errors.Join(errors.New("demo account "+string(p.Role)), err)
		}
	}
	return nil
}
