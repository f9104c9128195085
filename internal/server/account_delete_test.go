package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestAccountDeletionRequest: a patient closes their account and has their
// data deleted (issue 21, item 3: disposal on a verified deletion request
// where the law allows). Verified twice: a fresh sign-in to ask, and the
// emailed link opened signed in as the same person (another patient's
// session gets "not valid" and changes nothing). Confirming closes the
// account and ends its sessions; the disposal job then destroys the data of
// a patient with no record the law keeps at its next run, with a
// certificate naming the request, and keeps a patient with an order for the
// orders' legal hold (a year), not the tenant's six years.
func TestAccountDeletionRequest(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		rs := store.NewRetention(s.Stores.PHI)
		alice, carol, bob := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		ac, cc, bc := s.ClientAs(t, alice), s.ClientAs(t, carol), s.ClientAs(t, bob)
		// Bob has an order: a record the law keeps (orders: a year).
		if _, err := s.Stores.PHI.Writer().ExecContext(testkit.AllTenants(ctx), `INSERT INTO orders (id, tenant_id, user_id, reference, status, gateway, details_ct, created_at, updated_at)
			VALUES ($1, $2, $3, 'DRIL-0001', 'delivered', 'invoice', $4, $5, $5)`, id.New(), s.Tenant.ID, bob.ID, []byte{1}, s.Clock.Now()); err != nil {
			t.Fatal(err)
		}

		r, body := get(t, ac, s.NewRequest(t, "GET", "/account/delete", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "destroyed within the hour") {
			t.Fatalf("deletion page for a patient without kept records: %d", r.StatusCode)
		}
		r, body = get(t, bc, s.NewRequest(t, "GET", "/account/delete", nil))
		until := s.Clock.Now().Add(retention.LegalHold(retention.Orders)).Format("2 January 2006")
		if r.StatusCode != 200 || !strings.Contains(body, until) {
			t.Fatalf("deletion page for a patient with an order: %d, want the date %s", r.StatusCode, until)
		}

		// Asking emails a link; the email says what it is for and nothing else.
		r, body = get(t, ac, s.NewRequest(t, "POST", "/account/delete", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "We have sent a link") {
			t.Fatalf("asking: %d", r.StatusCode)
		}
		token := s.LastLink(t, alice.Email)

		// Another patient opening Alice's link: not valid, nothing changes.
		r, _ = get(t, cc, s.NewRequest(t, "GET", "/account/delete/confirm?token="+token, nil))
		r2, _ := get(t, cc, s.NewRequest(t, "POST", "/account/delete/confirm", map[string][]string{"token": {token}}))
		if r.StatusCode != 410 || r2.StatusCode != 410 {
			t.Fatalf("another patient with the link: GET %d, POST %d, want 410", r.StatusCode, r2.StatusCode)
		}
		if r, _ = get(t, cc, s.NewRequest(t, "GET", "/account", nil)); r.StatusCode != 200 {
			t.Fatalf("the other patient's own account after trying the link: %d", r.StatusCode)
		}

		// Alice confirms: closed, signed out everywhere.
		r, body = get(t, ac, s.NewRequest(t, "GET", "/account/delete/confirm?token="+token, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Close my account and delete my data") {
			t.Fatalf("confirm page: %d", r.StatusCode)
		}
		r, _ = get(t, ac, s.NewRequest(t, "POST", "/account/delete/confirm", map[string][]string{"token": {token}}))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/account/closed" {
			t.Fatalf("confirming: %d → %q", r.StatusCode, r.Header.Get("Location"))
		}
		if r, _ = get(t, s.ClientAs(t, alice), s.NewRequest(t, "GET", "/account", nil)); r.StatusCode == 200 {
			t.Fatal("the closed account's session still works")
		}
		if r, body = get(t, s.Client(), s.NewRequest(t, "GET", "/account/closed", nil)); r.StatusCode != 200 || !strings.Contains(body, "Your account is closed") {
			t.Fatalf("closed page: %d", r.StatusCode)
		}

		// Bob asks and confirms too.
		get(t, bc, s.NewRequest(t, "POST", "/account/delete", nil))
		btoken := s.LastLink(t, bob.Email)
		if r, _ = get(t, bc, s.NewRequest(t, "POST", "/account/delete/confirm", map[string][]string{"token": {btoken}})); r.StatusCode != 303 {
			t.Fatalf("bob confirming: %d", r.StatusCode)
		}

		// The disposal job: Alice now, under the request's rule; Bob not yet.
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		n, err := s.Services().Retention.Dispose(sys, 100)
		if err != nil || n != 1 {
			t.Fatalf("disposal after the requests: %d %v, want Alice only", n, err)
		}
		certs, err := rs.Certificates(ctx, s.Tenant.ID)
		if err != nil || len(certs) != 1 || certs[0].Subject != alice.ID ||
			!strings.Contains(certs[0].Rule, "deletion request of the patient") || !strings.Contains(certs[0].Rule, "no record the law requires") {
			t.Fatalf("certificates: %+v %v", certs, err)
		}
		if _, err := s.Services().Accounts.Account(sys, s.Tenant.ID, alice.ID, access.PurposeOperations); err == nil {
			t.Error("Alice's data is still readable after disposal")
		}
		s.Clock.Advance(retention.LegalHold(retention.Orders) + time.Hour)
		if n, err = s.Services().Retention.Dispose(sys, 100); err != nil || n != 1 {
			t.Fatalf("disposal a year later: %d %v, want Bob", n, err)
		}
		if certs, _ = rs.Certificates(ctx, s.Tenant.ID); len(certs) != 2 || !strings.Contains(certs[0].Rule+certs[1].Rule, "orders 365 days") {
			t.Fatalf("certificates a year later: %+v", certs)
		}
	})
}

// TestAccountDeletionNeedsAFreshSignIn: asking without having signed in or
// confirmed the password in the last five minutes goes to re-authentication
// first, and emails nothing; a staff account has no such page.
func TestAccountDeletionNeedsAFreshSignIn(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	p := s.NewPerson(t, access.RolePatient)
	c := s.ClientAs(t, p)
	s.Clock.Advance(6 * time.Minute)
	r, _ := get(t, c, s.NewRequest(t, "POST", "/account/delete", nil))
	if r.StatusCode != 303 || r.Header.Get("Location") != "/account/reauth?next=/account/delete" {
		t.Fatalf("stale sign-in: %d → %q", r.StatusCode, r.Header.Get("Location"))
	}
	s.Services().After.Wait()
	ctx := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
	items, err := s.Services().Outbox.Recent(ctx, s.Tenant.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if strings.EqualFold(it.To.Reveal(), p.Email) && strings.Contains(it.Subject, "Confirm closing") {
			t.Fatal("a deletion link was emailed without a fresh sign-in")
		}
	}
	staff := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
	if r, _ = get(t, staff, s.NewRequest(t, "GET", "/account/delete", nil)); r.StatusCode != 404 {
		t.Fatalf("staff deletion page: %d, want 404", r.StatusCode)
	}
}
