package portal_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestProxyInvitationWorksOnceTheInviteeRegisters: an invitation to an
// address without an account becomes a grant when that address registers;
// the invitee then lists the patient among the people they can help, and
// acts for them; withdrawing the invitation ends the grant; nobody else
// (another patient, a patient of another tenant) can withdraw it.
func TestProxyInvitationWorksOnceTheInviteeRegisters(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		const invitee = "later-carer@example.com"
		r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies", url.Values{"email": {invitee}, "scopes": {"orders"}}))
		if r.StatusCode != 303 {
			t.Fatalf("invite: %d", r.StatusCode)
		}
		s.Services().After.Wait()
		w0 := testkit.MeasureWork(t, s)

		// The invitee registers, confirms the address and signs in.
		const password = "correct horse battery staple"
		v := s.Client()
		if r, _ := testkit.Do(t, v, s.NewRequest(t, "POST", "/register", url.Values{"email": {invitee}, "name": {"Later Carer"}, "password": {password}})); r.StatusCode != 200 {
			t.Fatalf("register: %d", r.StatusCode)
		}
		token := s.LastLink(t, invitee) // waits for the work after the answer
		if d := testkit.MeasureWork(t, s).Minus(w0); d["proxy_grants"] != 1 || d["proxy_invites"] != 0 {
			t.Fatalf("registration did not turn the invitation into one grant: %v", d)
		}
		if r, _ := testkit.Do(t, v, s.NewRequest(t, "POST", "/verify", url.Values{"token": {token}})); r.StatusCode != 303 {
			t.Fatalf("verify: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, v, s.NewRequest(t, "POST", "/login", url.Values{"email": {invitee}, "password": {password}, "next": {"/account"}})); r.StatusCode != 303 {
			t.Fatalf("login: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, v, s.NewRequest(t, "GET", "/account/profile", nil)); !strings.Contains(body, "People you can help") ||
			!strings.Contains(body, patient.Email) || !strings.Contains(body, "Orders") {
			t.Fatalf("the registrant's page does not list the patient:\n%s", body)
		}

		// The patient's list reads as before: invited, nothing more.
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/proxies", nil))
		m := regexp.MustCompile(`name="grant" value="([0-9a-f-]+)"`).FindAllStringSubmatch(body, -1)
		if len(m) != 1 || !strings.Contains(body, invitee) || !strings.Contains(body, "Invited") {
			t.Fatalf("the patient's list:\n%s", body)
		}
		inviteID := m[0][1]

		// Nobody else withdraws it: another patient gets the 404 of a
		// missing one, and so does a patient of another tenant.
		other := s.NewPerson(t, access.RolePatient)
		if r, _ := testkit.Do(t, s.ClientAs(t, other), s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {inviteID}})); r.StatusCode != 404 {
			t.Fatalf("another patient's withdrawal: %d", r.StatusCode)
		}
		ctx := context.Background()
		ot := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, ot); err != nil {
			t.Fatal(err)
		}
		foreign := s.NewPersonIn(t, ot, access.RolePatient)
		err := s.Services().Grants.RevokeProxy(access.WithActor(ctx, access.Actor{ID: foreign.ID, Role: access.RolePatient, TenantID: ot.ID}), inviteID)
		if !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another tenant's withdrawal: %v", err)
		}
		if _, body := testkit.Do(t, v, s.NewRequest(t, "GET", "/account/profile", nil)); !strings.Contains(body, "People you can help") {
			t.Fatal("a refused withdrawal ended the grant")
		}

		// The patient withdraws: the invitation and its grant end together.
		r, body = testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {inviteID}}))
		if r.StatusCode != 200 || strings.Contains(body, invitee) {
			t.Fatalf("withdraw: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, v, s.NewRequest(t, "GET", "/account/profile", nil)); strings.Contains(body, "People you can help") {
			t.Fatal("a withdrawn invitation's grant still shows to the invitee")
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {inviteID}})); r.StatusCode != 404 {
			t.Fatalf("withdrawing twice: %d", r.StatusCode)
		}
	})
}

// TestProxyInvitationWithdrawnBeforeRegistrationGrantsNothing: an
// invitation withdrawn while it waits is not claimed by a later
// registration.
func TestProxyInvitationWithdrawnBeforeRegistrationGrantsNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		const invitee = "never-carer@example.com"
		testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies", url.Values{"email": {invitee}, "scopes": {"orders", "rx"}}))
		s.Services().After.Wait()
		_, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/account/proxies", nil))
		m := regexp.MustCompile(`name="grant" value="([0-9a-f-]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no invitation listed:\n%s", body)
		}
		if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/proxies/revoke", url.Values{"grant": {m[1]}})); r.StatusCode != 200 {
			t.Fatalf("withdraw: %d", r.StatusCode)
		}
		w0 := testkit.MeasureWork(t, s)
		testkit.Do(t, s.Client(), s.NewRequest(t, "POST", "/register", url.Values{"email": {invitee}, "name": {"Never"}, "password": {"correct horse battery staple"}}))
		s.Services().After.Wait()
		if d := testkit.MeasureWork(t, s).Minus(w0); d["users"] != 1 || d["proxy_grants"] != 0 {
			t.Fatalf("a withdrawn invitation was claimed: %v", d)
		}
	})
}
