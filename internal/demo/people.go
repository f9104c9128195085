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
	// Hash is Password hashed ahead of time with auth.DefaultArgon2 (the
	// test of this package checks it). Why ship it: hashing six passwords
	// took a good part of the demo's first start, and these passwords are
	// printed for anyone to use, so a hash made once (with its own salt)
	// protects nothing less than one made at each start.
	Hash string
}

// People are the demo's accounts.
var People = []Person{
	{Role: access.RolePatient, Email: "patient@salve-demo.example", Password: "demo patient password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$Dhsx4oKvr7sHQfuGM+YfMQ$hfJSZpdgFtvv6U0HMwDJJL3+CtPNWa0Tu/HKQ74BQHo"},
	{Role: access.RoleAdmin, Email: "admin@salve-demo.example", Password: "demo admin password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$KqDcilUSir7X4MYaGE+7dQ$7CNsqLK78iRP5HrthIVHz3io/tst5tnhjQyQaqBPqyQ"},
	{Role: access.RolePharmacist, Email: "pharmacist@salve-demo.example", Password: "demo pharmacist password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$jMByD0n7KEAJawmOn2t2yA$Olk4HR6fY5WI+qUXVzI79uxK9Fb0eMw9XoVSaDZZsc8"},
	{Role: access.RoleClinician, Email: "clinician@salve-demo.example", Password: "demo clinician password", //nolint:gosec // the demo's printed credentials (see Hash)
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$JXbAmOyn1qSy7LbtWeuxtw$MPWwhn8C3CLTYUtjrBJKXLLKL7l+H4cOtHp9bM0zXNo"},
	{Role: access.RoleStoreManager, Email: "manager@salve-demo.example", Password: "demo manager password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$EO577qwgKrXXHHxBlbStSQ$WzTu97a7k0Tvhfldms6gC8Tyzu4ncWZuhzN0qKpaazM"},
	{Role: access.RoleFulfillment, Email: "fulfillment@salve-demo.example", Password: "demo fulfillment password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$7teth/r9RsphfxSbz18DOQ$4xkCY6vBnWiHKUfCsrmPGVAvGnJefCJnFvQfHv15Xyg"},
	{Role: access.RoleCustomerService, Email: "service@salve-demo.example", Password: "demo service password",
		Hash: "$argon2id$v=19$m=65536,t=2,p=1$W1uQcjsYUkQkDaIl4rBW5A$t8D4D+P7pLR74WeJGg7TEalz7rB272nBdsVy+P/Z6vg"},
}

// SeedPeople creates the demo accounts in the demo tenant unless they exist,
// with their hashes made ahead of time; a service with other Argon2
// parameters (a test's cheap ones) hashes the passwords instead, side by side.
func SeedPeople(ctx context.Context, catalog *store.DB, people *accounts.Service) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	errs := make([]error, len(People))
	var wg sync.WaitGroup
	for i, p := range People {
		wg.Go(func() {
			name := "Demo " + string(p.Role)
			_, err := people.CreateUserHashed(ctx, t.ID, p.Role, p.Email, name, p.Hash)
			if errors.Is(err, accounts.ErrHashParams) {
				_, err = people.CreateUser(ctx, t.ID, p.Role, p.Email, name, p.Password)
			}
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
