package testkit

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// Passwords of the people an Identity test makes.
const (
	PatientPassword = "correct horse battery staple"
	StaffPassword   = "staff password 1"
)

// Identity is the identity services (accounts, sign-in, grants) on fresh
// stores, wired as server wires them, for domain tests without a server.
type Identity struct {
	server.Identity
	Outbox *outbox.Outbox
	Log    *audit.Log
	Clock  *clock.Fake
	// Tenant is the tenant the test's people belong to, with a security
	// contact (the services take it as it is; it is not stored).
	Tenant *tenant.Tenant
	// Stores are the fresh stores the services run on, for a domain test
	// that builds its own service beside them.
	Stores *Stores
}

// NewIdentity opens fresh stores on the engine (NewStores) and builds the
// identity services on them with the fake clock, a cheap Argon2 and an outbox
// without a mail relay; configure may change their options.
func NewIdentity(t testing.TB, e store.Engine, configure ...func(*server.IdentityOptions)) *Identity {
	t.Helper()
	st := NewStores(t, e)
	ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil)
	o := server.IdentityOptions{Clock: st.Clock, Argon2: TestArgon2}
	for _, f := range configure {
		f(&o)
	}
	return &Identity{Identity: server.NewIdentity(st.PHI, st.Vault, st.AuditLog, ob, o), Outbox: ob, Log: st.AuditLog, Clock: st.Clock,
		Tenant: &tenant.Tenant{ID: id.New(), Name: "Test Pharmacy", Hostnames: []string{"pharmacy.test"}, SecurityContact: "security@pharmacy.test"}, Stores: st}
}

// LastLink returns the token of the newest email to addr.
func (en *Identity) LastLink(t testing.TB, addr string) string {
	t.Helper()
	en.After.Wait() // emails some calls queue after their answer
	ctx := access.WithActor(context.Background(), access.System("test", en.Tenant.ID))
	items, err := en.Outbox.Recent(ctx, en.Tenant.ID, 100)
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

// Login signs in with an address and password from 127.0.0.1.
func (en *Identity) Login(email, password string) (string, signin.Session, error) {
	return en.SignIn.Login(context.Background(), en.Tenant, signin.Attempt{Email: email, Password: password, ClientIP: "127.0.0.1",
		Device: "Test", BaseURL: "https://pharmacy.test"})
}

// RegisterPatient registers a patient with PatientPassword and verifies
// their address.
func (en *Identity) RegisterPatient(t testing.TB, email string) {
	t.Helper()
	ctx := context.Background()
	if err := en.Accounts.Register(ctx, en.Tenant, "https://pharmacy.test", accounts.Registration{Email: email, Name: "Pat Patient", Password: PatientPassword}); err != nil {
		t.Fatal(err)
	}
	if err := en.Accounts.Verify(ctx, en.Tenant.ID, en.LastLink(t, email)); err != nil {
		t.Fatal(err)
	}
}

// CreateStaff creates a staff account of a role with StaffPassword, without a
// second factor yet, and returns its id.
func (en *Identity) CreateStaff(t testing.TB, role access.Role, email string) string {
	t.Helper()
	uid, err := en.Accounts.CreateUser(context.Background(), en.Tenant.ID, role, email, "Sam Staff", StaffPassword)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// EnrolledStaff creates a staff account with an authenticator and returns its
// id and TOTP secret; the clock moves past the code it used.
func (en *Identity) EnrolledStaff(t testing.TB, role access.Role, email string) (string, string) {
	t.Helper()
	ctx := context.Background()
	uid := en.CreateStaff(t, role, email)
	_, sess, err := en.Login(email, StaffPassword)
	if err != nil {
		t.Fatal(err)
	}
	enrol, err := en.SignIn.BeginTOTP(ctx, sess, en.Tenant.Name)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(enrol.Secret, en.Clock.Now())
	if _, _, _, err := en.SignIn.ConfirmTOTP(ctx, sess, code); err != nil {
		t.Fatal(err)
	}
	en.Clock.Advance(30 * time.Second)
	return uid, enrol.Secret
}

// AdminCtx returns a context acting as an admin of the test's tenant.
func (en *Identity) AdminCtx(uid string) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: uid, Role: access.RoleAdmin, TenantID: en.Tenant.ID})
}

// Events returns the audit events recorded about a subject.
func (en *Identity) Events(t testing.TB, subject string) []audit.Record {
	t.Helper()
	recs, err := en.Log.Find(context.Background(), audit.Query{TenantID: en.Tenant.ID, Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// HasEvent reports whether recs hold an event of an action with an outcome.
func HasEvent(recs []audit.Record, action string, outcome audit.Outcome) bool {
	return slices.ContainsFunc(recs, func(r audit.Record) bool { return r.Action == action && r.Outcome == outcome })
}
