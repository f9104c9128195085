package signin_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func TestFailedSignInsAnswerAlike(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		en.RegisterPatient(t, "known@example.com")
		_, _, errUnknown := en.Login("nobody@example.com", "whatever password here")
		_, _, errWrong := en.Login("known@example.com", "wrong password entirely")
		if !errors.Is(errUnknown, signin.ErrBadCredentials) || !errors.Is(errWrong, signin.ErrBadCredentials) {
			t.Fatalf("unknown: %v; wrong: %v", errUnknown, errWrong)
		}
	})
}

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		en.RegisterPatient(t, "pat@example.com")
		tok, _, err := en.Login("pat@example.com", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		// Patients: 30 minutes idle. Activity every 29 minutes keeps it alive...
		for range 3 {
			en.Clock.Advance(29 * time.Minute)
			if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err != nil {
				t.Fatalf("active session ended: %v", err)
			}
		}
		// ...31 minutes of silence ends it.
		en.Clock.Advance(31 * time.Minute)
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("idle timeout did not end the session")
		}

		// However active, a session ends 12 hours after sign-in.
		tok, _, err = en.Login("pat@example.com", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
			en.Clock.Advance(20 * time.Minute)
			if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err != nil {
				t.Fatalf("session ended after %v: %v", elapsed, err)
			}
		}
		en.Clock.Advance(20 * time.Minute)
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("absolute timeout did not end the session")
		}

		// Staff: 15 minutes idle.
		en.CreateStaff(t, access.RoleFulfillment, "staff@example.com")
		tok, _, err = en.Login("staff@example.com", testkit.StaffPassword)
		if err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(14 * time.Minute)
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(16 * time.Minute)
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("staff idle timeout did not end the session")
		}
	})
}

func TestStaffLockoutAndUnlockAfter30Minutes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		uid := en.CreateStaff(t, access.RolePharmacist, "rx@example.com")
		for i := range 10 {
			en.Clock.Advance(time.Minute) // past every growing delay
			if _, _, err := en.Login("rx@example.com", "not the password"); !errors.Is(err, signin.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		en.Clock.Advance(time.Minute)
		if _, _, err := en.Login("rx@example.com", testkit.StaffPassword); !errors.Is(err, signin.ErrBadCredentials) {
			t.Fatalf("locked account accepted the right password: %v", err)
		}
		recs := en.Events(t, uid)
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "user.lockout" && r.Severity == audit.High }) {
			t.Fatal("no high-severity lockout event")
		}
		en.Clock.Advance(30 * time.Minute)
		if _, _, err := en.Login("rx@example.com", testkit.StaffPassword); err != nil {
			t.Fatalf("after 30 minutes: %v", err)
		}
	})
}

func TestPatientLockoutNeedsTheEmailedUnlock(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		en.RegisterPatient(t, "pat@example.com")
		for i := range 100 {
			en.Clock.Advance(16 * time.Minute) // past the longest delays (account and address)
			if _, _, err := en.Login("pat@example.com", "wrong password number x"); !errors.Is(err, signin.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		en.Clock.Advance(48 * time.Hour)
		if _, _, err := en.Login("pat@example.com", testkit.PatientPassword); !errors.Is(err, signin.ErrBadCredentials) {
			t.Fatalf("a patient locked after 100 failures got in without unlocking: %v", err)
		}
		if err := en.SignIn.Unlock(context.Background(), en.Tenant.ID, en.LastLink(t, "pat@example.com")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := en.Login("pat@example.com", testkit.PatientPassword); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})
}

func TestStaffMustEnrolMFAAndCodesWorkOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		en.CreateStaff(t, access.RoleClinician, "doc@example.com")
		tok, sess, err := en.Login("doc@example.com", testkit.StaffPassword)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Stage != auth.StageNeedsEnrolment || sess.Complete() {
			t.Fatalf("staff without MFA: stage %v", sess.Stage)
		}
		enrol, err := en.SignIn.BeginTOTP(ctx, sess, en.Tenant.Name)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(enrol.Secret, en.Clock.Now())
		newTok, full, codes, err := en.SignIn.ConfirmTOTP(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		if !full.Complete() || len(codes) != 10 || newTok == tok {
			t.Fatalf("after enrolment: complete %v, %d codes, new token %v", full.Complete(), len(codes), newTok != tok)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err == nil {
			t.Fatal("the pre-MFA token survived the privilege change")
		}

		// Next sign-in needs the second factor; the code just used is spent.
		_, sess, err = en.Login("doc@example.com", testkit.StaffPassword)
		if err != nil {
			t.Fatal(err)
		}
		if sess.Stage != auth.StageNeedsMFA {
			t.Fatalf("stage %v", sess.Stage)
		}
		// A half-signed-in session cannot replace the authenticator.
		if _, err := en.SignIn.BeginTOTP(ctx, sess, en.Tenant.Name); err == nil {
			t.Fatal("enrolment allowed before the existing factor was passed")
		}
		if _, _, err := en.SignIn.VerifySecondFactor(ctx, sess, code); !errors.Is(err, signin.ErrBadCode) {
			t.Fatalf("replayed TOTP code: %v", err)
		}
		en.Clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(enrol.Secret, en.Clock.Now())
		if _, s2, err := en.SignIn.VerifySecondFactor(ctx, sess, code); err != nil || !s2.Complete() {
			t.Fatalf("fresh TOTP code: %v", err)
		}
		// A recovery code works once.
		_, sess, _ = en.Login("doc@example.com", testkit.StaffPassword)
		if _, _, err := en.SignIn.VerifySecondFactor(ctx, sess, codes[3]); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		_, sess, _ = en.Login("doc@example.com", testkit.StaffPassword)
		if _, _, err := en.SignIn.VerifySecondFactor(ctx, sess, codes[3]); !errors.Is(err, signin.ErrBadCode) {
			t.Fatalf("recovery code reused: %v", err)
		}
	})
}

func TestPasswordResetNeverBypassesMFA(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		en.EnrolledStaff(t, access.RolePharmacist, "rx@example.com")
		oldTok, _, err := en.Login("rx@example.com", testkit.StaffPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := en.SignIn.Forgot(ctx, en.Tenant, "https://pharmacy.test", "rx@example.com"); err != nil {
			t.Fatal(err)
		}
		// An unknown address gets the same answer.
		if err := en.SignIn.Forgot(ctx, en.Tenant, "https://pharmacy.test", "nobody@example.com"); err != nil {
			t.Fatal(err)
		}
		if err := en.SignIn.Reset(ctx, en.Tenant.ID, en.LastLink(t, "rx@example.com"), "a new staff pw"); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, oldTok); err == nil {
			t.Fatal("a reset left an old session alive")
		}
		_, sess, err := en.Login("rx@example.com", "a new staff pw")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Complete() || sess.Stage != auth.StageNeedsMFA {
			t.Fatalf("after a reset the second factor is still needed; stage %v", sess.Stage)
		}
	})
}

func TestBurstOfFailuresAlerts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e, func(o *server.IdentityOptions) {
			o.Burst = auth.Burst{Window: 5 * time.Minute, Threshold: 5, Quiet: 30 * time.Minute}
		})
		for i := range 5 {
			en.Clock.Advance(time.Second)
			_, _, _ = en.Login("victim"+string(rune('a'+i))+"@example.com", "guessing a password")
		}
		recs, err := en.Log.Find(context.Background(), audit.Query{TenantID: en.Tenant.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "security.login_burst" && r.Severity == audit.High }) {
			t.Fatal("no burst alert event")
		}
		ctx := access.WithActor(context.Background(), access.System("test", en.Tenant.ID))
		items, err := en.Outbox.Recent(ctx, en.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(items, func(it outbox.Item) bool { return it.To.Reveal() == "security@pharmacy.test" }) {
			t.Fatal("the security contact was not emailed")
		}
	})
}

// TestLookupReadsSessionAndAccountInOneStatement: a signed-in request's
// session lookup is one statement (the session and its account's row
// together), and still refuses a session at once when its account was
// disabled or its role changed under it, or when it is presented to another
// tenant; the account row it gives the request is the stored one.
func TestLookupReadsSessionAndAccountInOneStatement(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		en.RegisterPatient(t, "pat@example.com")
		tok, _, err := en.Login("pat@example.com", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		before := en.Stores.PHI.Statements()
		sess, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok)
		if err != nil {
			t.Fatal(err)
		}
		if n := en.Stores.PHI.Statements() - before; n != 1 {
			t.Fatalf("lookup ran %d statements, want 1", n)
		}
		u, ok := sess.User()
		stored, err := store.NewUsers(en.Stores.PHI).ByID(ctx, en.Tenant.ID, sess.UserID)
		if err != nil || !ok {
			t.Fatalf("user on the session: %v %v", ok, err)
		}
		if u.ID != stored.ID || u.TenantID != stored.TenantID || u.Role != stored.Role || u.Status != stored.Status ||
			string(u.EmailCT) != string(stored.EmailCT) || string(u.NameCT) != string(stored.NameCT) || u.PasswordHash != stored.PasswordHash ||
			!u.CreatedAt.Equal(stored.CreatedAt) || u.Passkeys != stored.Passkeys || u.HasSecondFactor() != stored.HasSecondFactor() {
			t.Fatalf("session's user %+v, stored %+v", u, stored)
		}
		if sess.Role != access.RolePatient || sess.TenantID != en.Tenant.ID {
			t.Fatalf("session %+v", sess)
		}
		// Another tenant's host: no session.
		if _, err := en.SignIn.Lookup(ctx, "other-tenant", tok); !errors.Is(err, signin.ErrNoSession) {
			t.Fatalf("other tenant: %v", err)
		}
		// A token that was never issued: no session.
		other, _, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, other); !errors.Is(err, signin.ErrNoSession) {
			t.Fatalf("unknown token: %v", err)
		}
		users := store.NewUsers(en.Stores.PHI)
		// A role changed under a live token ends it on the next request.
		if err := users.SetRole(ctx, en.Tenant.ID, sess.UserID, access.RoleFulfillment, en.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); !errors.Is(err, signin.ErrNoSession) {
			t.Fatalf("role changed: %v", err)
		}
		if err := users.SetRole(ctx, en.Tenant.ID, sess.UserID, access.RolePatient, en.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); err != nil {
			t.Fatalf("role back: %v", err)
		}
		// A disabled account ends it too.
		if err := users.SetStatus(ctx, en.Tenant.ID, sess.UserID, accounts.StatusDisabled, "test", en.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := en.SignIn.Lookup(ctx, en.Tenant.ID, tok); !errors.Is(err, signin.ErrNoSession) {
			t.Fatalf("disabled: %v", err)
		}
	})
}
