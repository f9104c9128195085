package identity_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/identity"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// testArgon2 is a cheap Argon2id for tests; production is DefaultArgon2.
var testArgon2 = auth.Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}

type env struct {
	ids    *identity.Service
	log    *audit.Log
	outbox *outbox.Outbox
	clock  *clock.Fake
	t      *tenant.Tenant
}

func newEnv(t testing.TB, e store.Engine, opts ...func(*identity.Options)) *env {
	t.Helper()
	ctx := context.Background()
	p := testkit.NewPlace(t, e)
	phiDB, auditDB := p.Open(t, store.PHI), p.Open(t, store.Audit)
	c := clock.NewFake(t0)
	log, err := audit.Open(ctx, store.NewAuditEvents(auditDB), audit.Options{Clock: c, KeyFile: filepath.Join(p.DataDir, audit.KeyFileName),
		CheckpointFile: filepath.Join(p.DataDir, audit.CheckpointFileName), CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	kek, err := vault.OpenKeyFile(filepath.Join(p.DataDir, vault.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(ctx, store.NewVaultKeys(phiDB), kek, log, vault.Options{Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	ob := outbox.New(phiDB, v, nil, c, nil)
	o := identity.Options{Clock: c, Argon2: testArgon2}
	for _, f := range opts {
		f(&o)
	}
	return &env{ids: identity.New(phiDB, v, log, ob, o), log: log, outbox: ob, clock: c,
		t: &tenant.Tenant{ID: id.New(), Name: "Test Pharmacy", Hostnames: []string{"pharmacy.test"}, SecurityContact: "security@pharmacy.test"}}
}

var tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`)

// lastLink returns the token of the newest email to addr whose subject
// contains what.
func (en *env) lastLink(t testing.TB, addr string) string {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.System("test", en.t.ID))
	items, err := en.outbox.Recent(ctx, en.t.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.To.Reveal() == addr {
			m := tokenRE.FindStringSubmatch(it.Text.Reveal())
			if m == nil {
				t.Fatalf("email %q has no link", it.Subject)
			}
			return m[1]
		}
	}
	t.Fatalf("no email to %s", addr)
	return ""
}

func (en *env) login(email, password string) (string, identity.Session, error) {
	return en.ids.Login(context.Background(), en.t, identity.Attempt{Email: email, Password: password, ClientIP: "127.0.0.1",
		Device: "Test", BaseURL: "https://pharmacy.test"})
}

const patientPassword = "correct horse battery staple"

// registerPatient registers and verifies a patient.
func (en *env) registerPatient(t testing.TB, email string) {
	t.Helper()
	ctx := context.Background()
	if err := en.ids.Register(ctx, en.t, "https://pharmacy.test", identity.Registration{Email: email, Name: "Pat Patient", Password: patientPassword}); err != nil {
		t.Fatal(err)
	}
	if err := en.ids.Verify(ctx, en.t.ID, en.lastLink(t, email)); err != nil {
		t.Fatal(err)
	}
}

func (en *env) createStaff(t testing.TB, role access.Role, email string) string {
	t.Helper()
	uid, err := en.ids.CreateUser(context.Background(), en.t.ID, role, email, "Sam Staff", "staff password 1")
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// events returns the audit actions recorded about a subject.
func (en *env) events(t testing.TB, subject string) []audit.Record {
	t.Helper()
	recs, err := en.log.Find(context.Background(), audit.Query{TenantID: en.t.ID, Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func hasEvent(recs []audit.Record, action string, outcome audit.Outcome) bool {
	return slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == action && r.Outcome == outcome })
}

func TestRegisterVerifySignIn(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		// A short password alone is refused (15 characters without MFA).
		err := en.ids.Register(ctx, en.t, "https://pharmacy.test", identity.Registration{Email: "pat@example.com", Password: "short pass"})
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("short password: %v", err)
		}
		if err := en.ids.Register(ctx, en.t, "https://pharmacy.test", identity.Registration{Email: "Pat@Example.com", Name: "Pat", Password: patientPassword}); err != nil {
			t.Fatal(err)
		}
		// Before verification the right password gets a new link, not a session.
		en.clock.Advance(time.Second)
		if _, _, err := en.login("pat@example.com", patientPassword); !apperr.Is(err, apperr.Invalid) || errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("unverified sign-in: %v", err)
		}
		token := en.lastLink(t, "Pat@Example.com")
		if err := en.ids.Verify(ctx, en.t.ID, token); err != nil {
			t.Fatal(err)
		}
		if err := en.ids.Verify(ctx, en.t.ID, token); !errors.Is(err, identity.ErrBadLink) {
			t.Fatalf("a link works once: %v", err)
		}
		// Registering the same address again says nothing and creates nothing.
		if err := en.ids.Register(ctx, en.t, "https://pharmacy.test", identity.Registration{Email: "pat@example.com", Password: "another long passphrase"}); err != nil {
			t.Fatal(err)
		}
		tok, sess, err := en.login("PAT@example.com ", patientPassword)
		if err != nil {
			t.Fatal(err)
		}
		if !sess.Complete() || sess.Role != access.RolePatient {
			t.Fatalf("session %+v", sess)
		}
		got, err := en.ids.Lookup(ctx, en.t.ID, tok)
		if err != nil || got.UserID != sess.UserID {
			t.Fatalf("lookup: %v %+v", err, got)
		}
		if _, err := en.ids.Lookup(ctx, id.New(), tok); err == nil {
			t.Fatal("a session must not work in another tenant")
		}
		if err := en.ids.Logout(ctx, got); err != nil {
			t.Fatal(err)
		}
		if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
			t.Fatal("a logged-out token still works")
		}
		recs := en.events(t, sess.UserID)
		for _, a := range []string{"user.register", "user.email.verify", "user.login", "session.logout"} {
			if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == a }) {
				t.Errorf("no %s audit event", a)
			}
		}
		if !hasEvent(recs, "user.login", audit.Denied) {
			t.Error("the unverified sign-in was not audited as denied")
		}
	})
}

func TestFailedSignInsAnswerAlike(t *testing.T) {
	en := newEnv(t, store.SQLite)
	en.registerPatient(t, "known@example.com")
	_, _, errUnknown := en.login("nobody@example.com", "whatever password here")
	_, _, errWrong := en.login("known@example.com", "wrong password entirely")
	if !errors.Is(errUnknown, identity.ErrBadCredentials) || !errors.Is(errWrong, identity.ErrBadCredentials) {
		t.Fatalf("unknown: %v; wrong: %v", errUnknown, errWrong)
	}
}

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	en.registerPatient(t, "pat@example.com")
	tok, _, err := en.login("pat@example.com", patientPassword)
	if err != nil {
		t.Fatal(err)
	}
	// Patients: 30 minutes idle. Activity every 29 minutes keeps it alive...
	for range 3 {
		en.clock.Advance(29 * time.Minute)
		if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err != nil {
			t.Fatalf("active session ended: %v", err)
		}
	}
	// ...31 minutes of silence ends it.
	en.clock.Advance(31 * time.Minute)
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
		t.Fatal("idle timeout did not end the session")
	}

	// However active, a session ends 12 hours after sign-in.
	tok, _, err = en.login("pat@example.com", patientPassword)
	if err != nil {
		t.Fatal(err)
	}
	for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
		en.clock.Advance(20 * time.Minute)
		if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err != nil {
			t.Fatalf("session ended after %v: %v", elapsed, err)
		}
	}
	en.clock.Advance(20 * time.Minute)
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
		t.Fatal("absolute timeout did not end the session")
	}

	// Staff: 15 minutes idle.
	en.createStaff(t, access.RoleFulfillment, "staff@example.com")
	tok, _, err = en.login("staff@example.com", "staff password 1")
	if err != nil {
		t.Fatal(err)
	}
	en.clock.Advance(14 * time.Minute)
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err != nil {
		t.Fatal(err)
	}
	en.clock.Advance(16 * time.Minute)
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
		t.Fatal("staff idle timeout did not end the session")
	}
}

func TestStaffLockoutAndUnlockAfter30Minutes(t *testing.T) {
	en := newEnv(t, store.SQLite)
	uid := en.createStaff(t, access.RolePharmacist, "rx@example.com")
	for i := range 10 {
		en.clock.Advance(time.Minute) // past every growing delay
		if _, _, err := en.login("rx@example.com", "not the password"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	en.clock.Advance(time.Minute)
	if _, _, err := en.login("rx@example.com", "staff password 1"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("locked account accepted the right password: %v", err)
	}
	recs := en.events(t, uid)
	if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "user.lockout" && r.Severity == audit.High }) {
		t.Fatal("no high-severity lockout event")
	}
	en.clock.Advance(30 * time.Minute)
	if _, _, err := en.login("rx@example.com", "staff password 1"); err != nil {
		t.Fatalf("after 30 minutes: %v", err)
	}
}

func TestPatientLockoutNeedsTheEmailedUnlock(t *testing.T) {
	en := newEnv(t, store.SQLite)
	en.registerPatient(t, "pat@example.com")
	for i := range 100 {
		en.clock.Advance(16 * time.Minute) // past the longest delays (account and address)
		if _, _, err := en.login("pat@example.com", "wrong password number x"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	en.clock.Advance(48 * time.Hour)
	if _, _, err := en.login("pat@example.com", patientPassword); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("a patient locked after 100 failures got in without unlocking: %v", err)
	}
	if err := en.ids.Unlock(context.Background(), en.t.ID, en.lastLink(t, "pat@example.com")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := en.login("pat@example.com", patientPassword); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}

func TestStaffMustEnrolMFAAndCodesWorkOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		en.createStaff(t, access.RoleClinician, "doc@example.com")
		tok, sess, err := en.login("doc@example.com", "staff password 1")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Stage != auth.StageNeedsEnrolment || sess.Complete() {
			t.Fatalf("staff without MFA: stage %v", sess.Stage)
		}
		enrol, err := en.ids.BeginTOTP(ctx, sess, en.t.Name)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(enrol.Secret, en.clock.Now())
		newTok, full, codes, err := en.ids.ConfirmTOTP(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		if !full.Complete() || len(codes) != 10 || newTok == tok {
			t.Fatalf("after enrolment: complete %v, %d codes, new token %v", full.Complete(), len(codes), newTok != tok)
		}
		if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
			t.Fatal("the pre-MFA token survived the privilege change")
		}

		// Next sign-in needs the second factor; the code just used is spent.
		_, sess, err = en.login("doc@example.com", "staff password 1")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Stage != auth.StageNeedsMFA {
			t.Fatalf("stage %v", sess.Stage)
		}
		// A half-signed-in session cannot replace the authenticator.
		if _, err := en.ids.BeginTOTP(ctx, sess, en.t.Name); err == nil {
			t.Fatal("enrolment allowed before the existing factor was passed")
		}
		if _, _, err := en.ids.VerifySecondFactor(ctx, sess, code); !errors.Is(err, identity.ErrBadCode) {
			t.Fatalf("replayed TOTP code: %v", err)
		}
		en.clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(enrol.Secret, en.clock.Now())
		if _, s2, err := en.ids.VerifySecondFactor(ctx, sess, code); err != nil || !s2.Complete() {
			t.Fatalf("fresh TOTP code: %v", err)
		}
		// A recovery code works once.
		_, sess, _ = en.login("doc@example.com", "staff password 1")
		if _, _, err := en.ids.VerifySecondFactor(ctx, sess, codes[3]); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		_, sess, _ = en.login("doc@example.com", "staff password 1")
		if _, _, err := en.ids.VerifySecondFactor(ctx, sess, codes[3]); !errors.Is(err, identity.ErrBadCode) {
			t.Fatalf("recovery code reused: %v", err)
		}
	})
}

// enrolledStaff creates a staff account with TOTP and returns its secret.
func (en *env) enrolledStaff(t testing.TB, role access.Role, email string) (string, string) {
	t.Helper()
	ctx := context.Background()
	uid := en.createStaff(t, role, email)
	_, sess, err := en.login(email, "staff password 1")
	if err != nil {
		t.Fatal(err)
	}
	enrol, err := en.ids.BeginTOTP(ctx, sess, en.t.Name)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(enrol.Secret, en.clock.Now())
	if _, _, _, err := en.ids.ConfirmTOTP(ctx, sess, code); err != nil {
		t.Fatal(err)
	}
	en.clock.Advance(30 * time.Second)
	return uid, enrol.Secret
}

func TestPasswordResetNeverBypassesMFA(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	en.enrolledStaff(t, access.RolePharmacist, "rx@example.com")
	oldTok, _, err := en.login("rx@example.com", "staff password 1")
	if err != nil {
		t.Fatal(err)
	}
	if err := en.ids.Forgot(ctx, en.t, "https://pharmacy.test", "rx@example.com"); err != nil {
		t.Fatal(err)
	}
	// An unknown address gets the same answer.
	if err := en.ids.Forgot(ctx, en.t, "https://pharmacy.test", "nobody@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := en.ids.Reset(ctx, en.t.ID, en.lastLink(t, "rx@example.com"), "a new staff pw"); err != nil {
		t.Fatal(err)
	}
	if _, err := en.ids.Lookup(ctx, en.t.ID, oldTok); err == nil {
		t.Fatal("a reset left an old session alive")
	}
	_, sess, err := en.login("rx@example.com", "a new staff pw")
	if err != nil {
		t.Fatal(err)
	}
	if sess.Complete() || sess.Stage != auth.StageNeedsMFA {
		t.Fatalf("after a reset the second factor is still needed; stage %v", sess.Stage)
	}
}

func adminCtx(en *env, uid string) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: uid, Role: access.RoleAdmin, TenantID: en.t.ID})
}

func TestDisableAndRoleChangeEndSessions(t *testing.T) {
	en := newEnv(t, store.SQLite)
	ctx := context.Background()
	admin, _ := en.enrolledStaff(t, access.RoleAdmin, "admin@example.com")
	uid, secret := en.enrolledStaff(t, access.RoleCustomerService, "cs@example.com")
	signIn := func() string {
		t.Helper()
		_, sess, err := en.login("cs@example.com", "staff password 1")
		if err != nil {
			t.Fatal(err)
		}
		en.clock.Advance(30 * time.Second)
		code, _ := auth.TOTPCode(secret, en.clock.Now())
		tok, _, err := en.ids.VerifySecondFactor(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tok := signIn()
	if err := en.ids.SetRole(adminCtx(en, admin), en.t.ID, uid, access.RolePharmacist); err != nil {
		t.Fatal(err)
	}
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
		t.Fatal("a session outlived its role")
	}
	tok = signIn()
	if err := en.ids.SetDisabled(adminCtx(en, admin), en.t.ID, uid, true, "left the company"); err != nil {
		t.Fatal(err)
	}
	if _, err := en.ids.Lookup(ctx, en.t.ID, tok); err == nil {
		t.Fatal("a disabled account's session still works")
	}
	if _, _, err := en.login("cs@example.com", "staff password 1"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("disabled account signed in: %v", err)
	}
	// Admins cannot act on themselves, nor as another role.
	if err := en.ids.SetDisabled(adminCtx(en, admin), en.t.ID, admin, true, ""); err == nil {
		t.Fatal("an admin disabled themselves")
	}
	notAdmin := access.WithActor(ctx, access.Actor{ID: uid, Role: access.RoleStoreManager, TenantID: en.t.ID})
	if err := en.ids.SetDisabled(notAdmin, en.t.ID, admin, true, ""); !apperr.Is(err, apperr.Denied) {
		t.Fatalf("a store manager disabled an admin: %v", err)
	}
	recs := en.events(t, uid)
	for _, a := range []string{"user.role.change", "user.disable"} {
		if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == a && r.Severity == audit.High }) {
			t.Errorf("no high-severity %s event", a)
		}
	}
}

func TestInactiveStaffAreDisabled(t *testing.T) {
	en := newEnv(t, store.SQLite, func(o *identity.Options) { o.StaffInactivity = 90 * 24 * time.Hour })
	ctx := context.Background()
	idle := en.createStaff(t, access.RoleFulfillment, "idle@example.com")
	en.createStaff(t, access.RoleFulfillment, "busy@example.com")
	en.registerPatient(t, "pat@example.com")
	en.clock.Advance(60 * 24 * time.Hour)
	if _, _, err := en.login("busy@example.com", "staff password 1"); err != nil {
		t.Fatal(err)
	}
	en.clock.Advance(31 * 24 * time.Hour)
	n, err := en.ids.DisableInactiveStaff(ctx)
	if err != nil || n != 1 {
		t.Fatalf("disabled %d, %v; want 1 (busy signed in 31 days ago, patients never)", n, err)
	}
	if _, _, err := en.login("idle@example.com", "staff password 1"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Fatalf("inactive staff signed in: %v", err)
	}
	if _, _, err := en.login("pat@example.com", patientPassword); err != nil {
		t.Fatalf("patient: %v", err)
	}
	if !hasEvent(en.events(t, idle), "user.disable", audit.Allowed) {
		t.Fatal("inactivity disabling was not audited")
	}
}

func TestBurstOfFailuresAlerts(t *testing.T) {
	en := newEnv(t, store.SQLite, func(o *identity.Options) {
		o.Burst = auth.Burst{Window: 5 * time.Minute, Threshold: 5, Quiet: 30 * time.Minute}
	})
	for i := range 5 {
		en.clock.Advance(time.Second)
		_, _, _ = en.login("victim"+string(rune('a'+i))+"@example.com", "guessing a password")
	}
	recs, err := en.log.Find(context.Background(), audit.Query{TenantID: en.t.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == "security.login_burst" && r.Severity == audit.High }) {
		t.Fatal("no burst alert event")
	}
	ctx := access.WithActor(context.Background(), access.System("test", en.t.ID))
	items, err := en.outbox.Recent(ctx, en.t.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(items, func(it outbox.Item) bool { return it.To.Reveal() == "security@pharmacy.test" }) {
		t.Fatal("the security contact was not emailed")
	}
}

func TestCareProxyAndBreakGlass(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		admin, _ := en.enrolledStaff(t, access.RoleAdmin, "admin@example.com")
		doc, docSecret := en.enrolledStaff(t, access.RoleClinician, "doc@example.com")
		en.registerPatient(t, "pat@example.com")
		en.registerPatient(t, "carer@example.com")
		_, pat, _ := en.login("pat@example.com", patientPassword)
		_, carer, _ := en.login("carer@example.com", patientPassword)
		as := func(s identity.Session) context.Context { return access.WithActor(ctx, s.Actor()) }
		docCtx := access.WithActor(ctx, access.Actor{ID: doc, Role: access.RoleClinician, TenantID: en.t.ID})

		// No care relationship: denied, audited, 404-shaped.
		if _, err := en.ids.Authorize(docCtx, en.t.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("clinician without care: %v", err)
		}
		if err := en.ids.AddCare(adminCtx(en, admin), en.t.ID, doc, pat.UserID); err != nil {
			t.Fatal(err)
		}
		if d, err := en.ids.Authorize(docCtx, en.t.ID, pat.UserID, access.DataClinical, access.Read); err != nil || d.Purpose != access.PurposeTreatment {
			t.Fatalf("clinician with care: %v %+v", err, d)
		}

		// Proxy: the carer sees only what was granted, until revoked.
		if _, err := en.ids.Authorize(as(carer), en.t.ID, pat.UserID, access.DataOrders, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer before a grant: %v", err)
		}
		if err := en.ids.GrantProxy(as(pat), "carer@example.com", []string{"orders", "rx"}); err != nil {
			t.Fatal(err)
		}
		if _, err := en.ids.Authorize(as(carer), en.t.ID, pat.UserID, access.DataOrders, access.Read); err != nil {
			t.Fatalf("carer with a grant: %v", err)
		}
		if _, err := en.ids.Authorize(as(carer), en.t.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer outside the grant: %v", err)
		}
		proxies, err := en.ids.Proxies(as(pat))
		if err != nil || len(proxies) != 1 || proxies[0].Email.Reveal() != "carer@example.com" {
			t.Fatalf("proxies: %v %+v", err, proxies)
		}
		if err := en.ids.RevokeProxy(as(pat), proxies[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := en.ids.Authorize(as(carer), en.t.ID, pat.UserID, access.DataOrders, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("carer after revoke: %v", err)
		}

		// Break-glass: a second clinician, no care; reason and fresh MFA needed.
		other, otherSecret := en.enrolledStaff(t, access.RoleClinician, "er@example.com")
		_ = docSecret
		_, sess, err := en.login("er@example.com", "staff password 1")
		if err != nil {
			t.Fatal(err)
		}
		en.clock.Advance(30 * time.Second)
		code, _ := auth.TOTPCode(otherSecret, en.clock.Now())
		_, sess, err = en.ids.VerifySecondFactor(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := en.ids.BreakGlass(ctx, en.t, sess, pat.UserID, "too short"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("short reason: %v", err)
		}
		en.clock.Advance(6 * time.Minute)
		if _, err := en.ids.BreakGlass(ctx, en.t, sess, pat.UserID, "Unconscious in the emergency room, allergies needed"); !errors.Is(err, identity.ErrNotFresh) {
			t.Fatalf("stale MFA: %v", err)
		}
		en.clock.Advance(30 * time.Second)
		code, _ = auth.TOTPCode(otherSecret, en.clock.Now())
		_, sess, err = en.ids.VerifySecondFactor(ctx, sess, code)
		if err != nil {
			t.Fatal(err)
		}
		until, err := en.ids.BreakGlass(ctx, en.t, sess, pat.UserID, "Unconscious in the emergency room, allergies needed")
		if err != nil || until.Sub(en.clock.Now()) != access.BreakGlassDuration {
			t.Fatalf("break glass: %v until %v", err, until)
		}
		erCtx := access.WithActor(ctx, access.Actor{ID: other, Role: access.RoleClinician, TenantID: en.t.ID})
		if d, err := en.ids.Authorize(erCtx, en.t.ID, pat.UserID, access.DataClinical, access.Read); err != nil || d.Purpose != access.PurposeBreakGlass {
			t.Fatalf("during break glass: %v %+v", err, d)
		}
		en.clock.Advance(access.BreakGlassDuration)
		if _, err := en.ids.Authorize(erCtx, en.t.ID, pat.UserID, access.DataClinical, access.Read); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("after expiry: %v", err)
		}
		if !slices.ContainsFunc(en.events(t, pat.UserID), func(r audit.Record) bool { return r.Action == "break_glass.start" && r.Severity == audit.High }) {
			t.Fatal("no high-severity break-glass event")
		}
		// The compliance queue shows the reason; review records a finding.
		comp := access.WithActor(ctx, access.Actor{ID: "c", Role: access.RoleCompliance, TenantID: en.t.ID})
		q, err := en.ids.BreakGlassQueue(comp, en.t.ID)
		if err != nil || len(q) != 1 || !strings.Contains(q[0].Reason.Reveal(), "allergies") {
			t.Fatalf("queue: %v %+v", err, q)
		}
		if _, err := en.ids.BreakGlassQueue(docCtx, en.t.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("a clinician read the review queue: %v", err)
		}
		if err := en.ids.ReviewBreakGlass(comp, en.t.ID, q[0].ID, identity.ReviewJustified); err != nil {
			t.Fatal(err)
		}
	})
}
