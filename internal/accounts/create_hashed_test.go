package accounts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestCreateUserHashed: an account made from a hash of the service's own
// cost signs in with its password; a hash of another cost is refused, and so
// is an address already taken.
func TestCreateUserHashed(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		const pw = "a long passphrase for the test"
		hash, err := auth.NewHasher(testkit.TestArgon2).Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.Accounts.CreateUserHashed(ctx, en.Tenant.ID, access.RolePatient, "made@example.com", "Made", hash); err != nil {
			t.Fatal(err)
		}
		if _, sess, err := en.Login("made@example.com", pw); err != nil || sess.Role != access.RolePatient {
			t.Fatalf("sign in with the hashed account: %v", err)
		}
		strong, err := auth.NewHasher(auth.Argon2Params{MemoryKiB: testkit.TestArgon2.MemoryKiB * 2, Time: 1, Threads: 1}).Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.Accounts.CreateUserHashed(ctx, en.Tenant.ID, access.RolePatient, "other@example.com", "", strong); !errors.Is(err, accounts.ErrHashParams) {
			t.Fatalf("a hash of another cost: %v", err)
		}
		if _, err := en.Accounts.CreateUserHashed(ctx, en.Tenant.ID, access.RolePatient, "made@example.com", "", hash); err == nil {
			t.Fatal("an address already taken was made again")
		}
	})
}
