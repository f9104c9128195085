package accounts_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestAccountFromTheSessionsRow: the row the session's lookup read for a
// request opens the same account without a second read of the users
// table, still through an audited access each time; another person's row
// in the context is not used.
func TestAccountFromTheSessionsRow(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		en.RegisterPatient(t, "pat@example.com")
		en.RegisterPatient(t, "other@example.com")
		token, _, err := en.Login("pat@example.com", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := en.SignIn.Lookup(ctx, en.Tenant.ID, token)
		if err != nil {
			t.Fatal(err)
		}
		u, ok := sess.User()
		if !ok || u.ID != sess.UserID {
			t.Fatalf("the session carries no row of its person: %v %q", ok, u.ID)
		}
		if _, ok := (signin.Session{}).User(); ok {
			t.Error("a session that did not come from a lookup carries a row")
		}
		me := access.WithActor(ctx, sess.Actor())
		want, err := en.Accounts.Account(me, en.Tenant.ID, sess.UserID, access.PurposeSelf)
		if err != nil {
			t.Fatal(err)
		}
		reads := func() int {
			n := 0
			for _, r := range en.Events(t, sess.UserID) {
				if r.Action == "user.read" {
					n++
				}
			}
			return n
		}
		before, events := en.Stores.PHI.Statements(), reads()
		got, err := en.Accounts.Account(accounts.WithRow(me, u), en.Tenant.ID, sess.UserID, access.PurposeSelf)
		if err != nil || got.Email.Reveal() != "pat@example.com" || got.Name.Reveal() != want.Name.Reveal() || got.ID != want.ID {
			t.Fatalf("from the row: %q %q %v", got.Email.Reveal(), got.Name.Reveal(), err)
		}
		// The vault's key row and nothing of the users table.
		if n := en.Stores.PHI.Statements() - before; n > 1 {
			t.Errorf("%d PHI statements opening the account from the session's row, want at most the key row's 1", n)
		}
		if reads() != events+1 {
			t.Error("opening the account from the session's row was not audited")
		}
		// Someone else's account is read from the store, not from the row.
		otherToken, _, err := en.Login("other@example.com", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		other, err := en.SignIn.Lookup(ctx, en.Tenant.ID, otherToken)
		if err != nil {
			t.Fatal(err)
		}
		staff := access.WithActor(ctx, access.System("test", en.Tenant.ID))
		acct, err := en.Accounts.Account(accounts.WithRow(staff, u), en.Tenant.ID, other.UserID, access.PurposeOperations)
		if err != nil || acct.Email.Reveal() != "other@example.com" {
			t.Errorf("another person's account with a row in the context: %q %v", acct.Email.Reveal(), err)
		}
	})
}
