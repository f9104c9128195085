package accounts_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestRegisterVerifySignIn(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		// A short password alone is refused (15 characters without MFA).
		err := en.Accounts.Register(ctx, en.Tenant, "https://pharmacy.test", accounts.Registration{Email: "pat@example.com", Password: "short pass"})
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("short password: %v", err)
		}
		if err := en.Accounts.Register(ctx, en.Tenant, "https://pharmacy.test", accounts.Registration{Email: "Pat@Example.com", Name: "Pat", Password: testkit.PatientPassword}); err != nil {
			t.Fatal(err)
		}
		en.After.Wait() // the account is made after the answer
		// Before verification the right password gets a new link, not a session.
		en.Clock.Advance(time.Second)
		if _, _, err := en.Login("pat@example.com", testkit.PatientPassword); !apperr.Is(err, apperr.Invalid) || errors.Is(err, signin.ErrBadCredentials) {
			t.Fatalf("unverified sign-in: %v", err)
		}
		token := en.LastLink(t, "Pat@Example.com")
		if err := en.Accounts.Verify(ctx, en.Tenant.ID, token); err != nil {
			t.Fatal(err)
		}
		if err := en.Accounts.Verify(ctx, en.Tenant.ID, token); !errors.Is(err, accounts.ErrBadLink) {
			t.Fatalf("a link works once: %v", err)
		}
		// Registering the same address again says nothing and creates nothing.
		if err := en.Accounts.Register(ctx, en.Tenant, "https://pharmacy.test", accounts.Registration{Email: "pat@example.com", Password: "another long passphrase"}); err != nil {
			t.Fatal(err)
		}
		en.After.Wait()
		tok, sess, err := en.Login("PAT@example.com ", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		if !sess.Complete() || sess.Role != access.RolePatient {
			t.Fatalf("session %+v", sess)
		}
		got, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok)
		if err != nil || got.UserID != sess.UserID {
			t.Fatalf("lookup: %v %+v", err, got)
		}
		if _, err := en.SignIn.Lookup(ctx, id.New(), tok); err == nil {
			t.Fatal("a session must not work in another tenant")
		}
		if err := en.SignIn.Logout(ctx, got); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("a logged-out token still works")
		}
		recs := en.Events(t, sess.UserID)
		for _, a := range []string{"user.register", "user.email.verify", "user.login", "session.logout"} {
			if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == a }) {
				t.Errorf("no %s audit event", a)
			}
		}
		if !testkit.HasEvent(recs, "user.login", audit.Denied) {
			t.Error("the unverified sign-in was not audited as denied")
		}
	})
}

func TestDisableAndRoleChangeEndSessions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		admin, _ := en.EnrolledStaff(t, access.RoleAdmin, "admin@example.com")
		uid, secret := en.EnrolledStaff(t, access.RoleCustomerService, "cs@example.com")
		signIn := func() string {
			t.Helper()
			_, sess, err := en.Login("cs@example.com", testkit.StaffPassword)
			if err != nil {
				t.Fatal(err)
			}
			en.Clock.Advance(30 * time.Second)
			code, _ := auth.TOTPCode(secret, en.Clock.Now())
			tok, _, err := en.SignIn.VerifySecondFactor(ctx, sess, code)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		tok := signIn()
		if err := en.Accounts.SetRole(en.AdminCtx(admin), en.Tenant.ID, uid, access.RolePharmacist); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("a session outlived its role")
		}
		tok = signIn()
		if err := en.Accounts.SetDisabled(en.AdminCtx(admin), en.Tenant.ID, uid, true, "left the company"); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("a disabled account's session still works")
		}
		if _, _, err := en.Login("cs@example.com", testkit.StaffPassword); !errors.Is(err, signin.ErrBadCredentials) {
			t.Fatalf("disabled account signed in: %v", err)
		}
		// Admins cannot act on themselves, nor as another role.
		if err := en.Accounts.SetDisabled(en.AdminCtx(admin), en.Tenant.ID, admin, true, ""); err == nil {
			t.Fatal("an admin disabled themselves")
		}
		notAdmin := access.WithActor(ctx, access.Actor{ID: uid, Role: access.RoleStoreManager, TenantID: en.Tenant.ID})
		if err := en.Accounts.SetDisabled(notAdmin, en.Tenant.ID, admin, true, ""); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("a store manager disabled an admin: %v", err)
		}
		recs := en.Events(t, uid)
		for _, a := range []string{"user.role.change", "user.disable"} {
			if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == a && r.Severity == audit.High }) {
				t.Errorf("no high-severity %s event", a)
			}
		}
	})
}

func TestInactiveStaffAreDisabled(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e, func(o *server.IdentityOptions) { o.StaffInactivity = 90 * 24 * time.Hour })
		ctx := context.Background()
		idle := en.CreateStaff(t, access.RoleFulfillment, "idle@example.com")
		en.CreateStaff(t, access.RoleFulfillment, "busy@example.com")
		en.RegisterPatient(t, "pat@example.com")
		en.Clock.Advance(60 * 24 * time.Hour)
		if _, _, err := en.Login("busy@example.com", testkit.StaffPassword); err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(31 * 24 * time.Hour)
		n, err := en.Accounts.DisableInactiveStaff(ctx)
		if err != nil || n != 1 {
			t.Fatalf("disabled %d, %v; want 1 (busy signed in 31 days ago, patients never)", n, err)
		}
		if _, _, err := en.Login("idle@example.com", testkit.StaffPassword); !errors.Is(err, signin.ErrBadCredentials) {
			t.Fatalf("inactive staff signed in: %v", err)
		}
		if _, _, err := en.Login("pat@example.com", testkit.PatientPassword); err != nil {
			t.Fatalf("patient: %v", err)
		}
		if !testkit.HasEvent(en.Events(t, idle), "user.disable", audit.Allowed) {
			t.Fatal("inactivity disabling was not audited")
		}
	})
}
