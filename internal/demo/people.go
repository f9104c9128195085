package demo

import (
	"context"
	"errors"
	"sync"

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
// Their passwords are hashed side by side: six Argon2 hashes one after
// another were a good part of the demo's first start.
func SeedPeople(ctx context.Context, catalog *store.DB, people *accounts.Service) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	errs := make([]error, len(People))
	var wg sync.WaitGroup
	for i, p := range People {
		wg.Go(func() {
			_, err := people.CreateUser(ctx, t.ID, p.Role, p.Email, "Demo "+string(p.Role), p.Password)
			if e := apperr.As(err); e != nil && e.Fields["email"] != "" {
				return // made on an earlier run
			}
			if err != nil {
				errs[i] = errors.Join(errors.New("demo account "+string(p.Role)), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
