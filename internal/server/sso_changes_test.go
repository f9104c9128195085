package server_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSSOChangesOnlyWithASecondPerson: single sign-on set at the console is
// changed from the changes page: a bad issuer is refused and nothing is
// recorded; the request shows before and after with the secret masked; the
// requester cannot approve it; a rejected request leaves the provider as it
// was; an approved one changes the provider and keeps the stored secret;
// a new secret cannot be requested on the web.
func TestSSOChangesOnlyWithASecondPerson(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Changes
		tid := s.Tenant.ID
		const secret = "client-secret-never-shown"
		if _, err := svc.ApplyAsOperator(access.WithActor(ctx, access.System("test", tid)), tid, changes.KindSSO, tid, map[string]string{"enabled": "yes",
			"issuer": "https://idp.example", "client_id": "salve", "client_secret": secret, "allowed_domains": "clinic.example"}, "set up"); err != nil {
			t.Fatal(err)
		}
		ssoStore := store.NewSSO(s.Stores.PHI)
		before, err := ssoStore.Get(ctx, tid)
		if err != nil {
			t.Fatal(err)
		}
		adminA, adminB, officer := s.NewPerson(t, access.RoleAdmin), s.NewPerson(t, access.RoleAdmin), s.NewPerson(t, access.RoleCompliance)
		a, b, o := s.ClientAs(t, adminA), s.ClientAs(t, adminB), s.ClientAs(t, officer)
		if r, body := get(t, a, s.NewRequest(t, "GET", "/admin/compliance/changes", nil)); r.StatusCode != 200 || !strings.Contains(body, `value="https://idp.example"`) {
			t.Fatalf("changes page: %d, no single sign-on form with the current issuer", r.StatusCode)
		}
		ask := func(issuer, reason string) (int, string) {
			r, body := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/sso", url.Values{"sso_form": {"1"}, "enabled": {"yes"},
				"issuer": {issuer}, "client_id": {"salve-2"}, "allowed_domains": {"clinic.example, Staff.Example"}, "reason": {reason}}))
			return r.StatusCode, body
		}
		n := func() int {
			list, _ := svc.List(ctx, tid, 100)
			return len(list)
		}
		recorded := n()
		if code, body := ask("ftp://idp", "new provider"); code != 422 || !strings.Contains(body, `value="new provider"`) || n() != recorded {
			t.Fatalf("a bad issuer: %d", code)
		}
		if code, body := ask("https://idp2.example", "moving to the group's provider"); code != 200 || strings.Contains(body, secret) {
			t.Fatalf("request: %d", code)
		}
		list, err := svc.List(ctx, tid, 100)
		if err != nil || list[0].Status != changes.Pending || list[0].Before["issuer"] != "https://idp.example" || list[0].After["issuer"] != "https://idp2.example" ||
			list[0].Before["client_secret"] != changes.Mask || list[0].After["client_secret"] != changes.Mask || list[0].After["allowed_domains"] != "clinic.example,staff.example" {
			t.Fatalf("pending: %+v, %v", list[0], err)
		}
		if r, _ := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 403 {
			t.Fatalf("self-approval: %d", r.StatusCode)
		}
		if r, _ := get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/reject", url.Values{"note": {"not yet"}})); r.StatusCode != 200 {
			t.Fatalf("reject: %d", r.StatusCode)
		}
		if cur, err := ssoStore.Get(ctx, tid); err != nil || cur.Issuer != "https://idp.example" || cur.ClientID != "salve" {
			t.Fatalf("after rejecting: %+v %v", cur, err)
		}
		if code, _ := ask("https://idp2.example", "moving now"); code != 200 {
			t.Fatalf("second request: %d", code)
		}
		list, _ = svc.List(ctx, tid, 100)
		if r, _ := get(t, o, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 200 {
			t.Fatalf("approve: %d", r.StatusCode)
		}
		cur, err := ssoStore.Get(ctx, tid)
		if err != nil || cur.Issuer != "https://idp2.example" || cur.ClientID != "salve-2" || !bytes.Equal(cur.ClientSecretCT, before.ClientSecretCT) {
			t.Fatalf("after approving: %+v %v", cur, err)
		}
		// A new secret is the console's: refused here, nothing recorded.
		asA := access.WithActor(ctx, access.Actor{ID: adminA.ID, Role: access.RoleAdmin, TenantID: tid})
		recorded = n()
		if _, err := svc.Request(asA, tid, changes.KindSSO, tid, map[string]string{"enabled": "yes", "issuer": "https://idp2.example", "client_id": "salve-2",
			"client_secret": "typed-on-the-web", "allowed_domains": ""}, "rotate"); !apperr.Is(err, apperr.Invalid) || n() != recorded {
			t.Fatalf("a secret on the web: %v", err)
		}
		// Turning it off goes the same way.
		if r, _ := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/sso", url.Values{"sso_form": {"1"}, "enabled": {"no"}, "reason": {"leaving the provider"}})); r.StatusCode != 200 {
			t.Fatalf("off: %d", r.StatusCode)
		}
		list, _ = svc.List(ctx, tid, 100)
		if r, _ := get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+list[0].ID+"/approve", url.Values{})); r.StatusCode != 200 {
			t.Fatalf("approve off: %d", r.StatusCode)
		}
		if _, err := ssoStore.Get(ctx, tid); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("still on: %v", err)
		}
	})
}
