package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestChangesNeedASecondPerson: a retention rule or a staff role requested
// on its page changes nothing until a second person approves; the
// requester's own approval is refused (403, the reason said, nothing
// changes); a rejected request leaves the setting as it was; an approved
// one is applied and recorded with before, after, requester, approver and
// reason; a request without a reason is refused and not recorded; a secret
// set at the console is recorded masked; each new software version is
// recorded once.
func TestChangesNeedASecondPerson(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Changes
		rs := store.NewRetention(s.Stores.PHI)
		adminA, adminB := s.NewPerson(t, access.RoleAdmin), s.NewPerson(t, access.RoleAdmin)
		officer := s.NewPerson(t, access.RoleCompliance)
		a, b, c := s.ClientAs(t, adminA), s.ClientAs(t, adminB), s.ClientAs(t, officer)
		rule := func() []retention.Rule {
			rules, err := rs.Rules(ctx, s.Tenant.ID)
			if err != nil {
				t.Fatal(err)
			}
			return rules
		}
		pending := func() changes.Change {
			list, err := svc.List(ctx, s.Tenant.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range list {
				if ch.Status == changes.Pending {
					return ch
				}
			}
			t.Fatal("no pending change")
			return changes.Change{}
		}

		// No reason: refused, nothing recorded.
		r, body := get(t, a, s.NewRequest(t, "POST", "/admin/compliance/retention",
			url.Values{"record_type": {retention.Messages}, "keep_days": {"400"}}))
		if r.StatusCode != 422 || !strings.Contains(body, "Say why") {
			t.Fatalf("no reason: %d", r.StatusCode)
		}
		if list, _ := svc.List(ctx, s.Tenant.ID, 100); len(list) != 0 {
			t.Fatalf("a refused request was recorded: %+v", list)
		}

		// A's request changes nothing; A cannot approve it.
		req := url.Values{"record_type": {retention.Messages}, "keep_days": {"400"}, "reason": {"legal review LR-12"}}
		r, body = get(t, a, s.NewRequest(t, "POST", "/admin/compliance/retention", req))
		if r.StatusCode != 200 || !strings.Contains(body, "second person approves") || len(rule()) != 0 {
			t.Fatalf("request: %d, rules %v", r.StatusCode, rule())
		}
		ch := pending()
		r, body = get(t, a, s.NewRequest(t, "GET", "/admin/compliance/changes", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "You asked for this") || strings.Contains(body, "/changes/"+ch.ID+"/approve") {
			t.Fatalf("changes page for the requester: %d, offers approve %v", r.StatusCode, strings.Contains(body, "/approve"))
		}
		r, body = get(t, a, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{}))
		if r.StatusCode != 403 || !strings.Contains(body, "cannot approve it") || len(rule()) != 0 {
			t.Fatalf("self-approval: %d, rules %v", r.StatusCode, rule())
		}
		if _, err := svc.Approve(access.WithActor(ctx, access.Actor{ID: adminA.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID}),
			s.Tenant.ID, ch.ID, ""); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("self-approval through the service: %v", err)
		}

		// B rejects: the setting stays as it was; a decided change is not
		// decided again.
		r, _ = get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/reject", url.Values{"note": {"wait for counsel"}}))
		if r.StatusCode != 200 || len(rule()) != 0 {
			t.Fatalf("reject: %d, rules %v", r.StatusCode, rule())
		}
		r, _ = get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{}))
		if r.StatusCode != 409 || len(rule()) != 0 {
			t.Fatalf("approving a rejected change: %d, rules %v", r.StatusCode, rule())
		}

		// Asked again, the compliance officer approves: applied and recorded.
		get(t, a, s.NewRequest(t, "POST", "/admin/compliance/retention", req))
		ch = pending()
		r, _ = get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{"note": {"counsel agreed"}}))
		if got := rule(); r.StatusCode != 200 || len(got) != 1 || got[0].Keep != 400*24*time.Hour {
			t.Fatalf("approve: %d, rules %v", r.StatusCode, got)
		}
		done, err := store.NewChanges(s.Stores.PHI).Get(ctx, s.Tenant.ID, ch.ID)
		if err != nil || done.Status != changes.Applied || done.Before["keep_days"] != "2190" || done.After["keep_days"] != "400" ||
			done.RequestedBy != adminA.ID || done.DecidedBy != officer.ID || done.Reason != "legal review LR-12" ||
			done.Note != "counsel agreed" || done.DecidedAt.IsZero() || len(done.Payload) != 0 {
			t.Fatalf("record: %+v %v", done, err)
		}

		// A staff role: requested by A, approved by B, in effect.
		pharm := s.NewPerson(t, access.RolePharmacist)
		r, _ = get(t, a, s.NewRequest(t, "POST", "/admin/users/"+pharm.ID+"/role", url.Values{"role": {"clinician"}, "reason": {"moved to the clinic"}}))
		if u, _ := store.NewUsers(s.Stores.PHI).ByID(ctx, s.Tenant.ID, pharm.ID); r.StatusCode != 200 || u.Role != access.RolePharmacist {
			t.Fatalf("role request: %d, role now %s", r.StatusCode, u.Role)
		}
		ch = pending()
		r, _ = get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{}))
		if u, _ := store.NewUsers(s.Stores.PHI).ByID(ctx, s.Tenant.ID, pharm.ID); r.StatusCode != 200 || u.Role != access.RoleClinician {
			t.Fatalf("role approval: %d, role now %s", r.StatusCode, u.Role)
		}
		// Nobody approves a change of their own account either.
		r, _ = get(t, a, s.NewRequest(t, "POST", "/admin/users/"+adminB.ID+"/role", url.Values{"role": {"compliance"}, "reason": {"B moves to compliance"}}))
		ch = pending()
		r2, body2 := get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{}))
		if u, _ := store.NewUsers(s.Stores.PHI).ByID(ctx, s.Tenant.ID, adminB.ID); r.StatusCode != 200 || r2.StatusCode != 403 ||
			!strings.Contains(body2, "your own account") || u.Role != access.RoleAdmin {
			t.Fatalf("approving one's own role change: request %d, approve %d, role %s", r.StatusCode, r2.StatusCode, u.Role)
		}
		get(t, b, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/reject", url.Values{}))
		// Nobody requests a change of their own role.
		r, _ = get(t, a, s.NewRequest(t, "POST", "/admin/users/"+adminA.ID+"/role", url.Values{"role": {"compliance"}, "reason": {"x"}}))
		if r.StatusCode != 422 {
			t.Errorf("own role: %d", r.StatusCode)
		}

		// A secret set at the console: recorded masked, applied.
		const secret = "client-secret-do-not-show"
		sc, err := svc.ApplyAsOperator(ctx, s.Tenant.ID, changes.KindSSO, s.Tenant.ID, map[string]string{"enabled": "yes",
			"issuer": "https://idp.example.com", "client_id": "salve", "client_secret": secret}, "single sign-on for staff")
		if err != nil {
			t.Fatal(err)
		}
		rec, err := store.NewChanges(s.Stores.PHI).Get(ctx, s.Tenant.ID, sc.ID)
		if err != nil || rec.After["client_secret"] != changes.Mask || rec.After["issuer"] != "https://idp.example.com" ||
			rec.DecidedBy != changes.Operator || rec.Before["enabled"] != "no" || !s.Services().SignIn.HasSSO(ctx, s.Tenant.ID) {
			t.Fatalf("operator change: %+v %v", rec, err)
		}
		r, body = get(t, c, s.NewRequest(t, "GET", "/admin/compliance/changes", nil))
		if r.StatusCode != 200 || strings.Contains(body, secret) || !strings.Contains(body, "legal review LR-12") ||
			!strings.Contains(body, "moved to the clinic") || !strings.Contains(body, "•••• (secret)") {
			t.Fatalf("changes page: %d, shows the secret %v", r.StatusCode, strings.Contains(body, secret))
		}
		if strings.Contains(s.Log.String(), secret) {
			t.Error("the secret reached the log")
		}
		// A secret is never left pending for later.
		if _, err := svc.Request(access.WithActor(ctx, access.Actor{ID: adminA.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID}),
			s.Tenant.ID, changes.KindSSO, s.Tenant.ID, map[string]string{"enabled": "yes", "issuer": "https://idp.example", "client_id": "salve",
				"client_secret": "a-new-secret", "allowed_domains": ""}, "rotate"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("pending secret kind: %v", err)
		}

		// Versions: recorded at start, then once per new version.
		list, _ := svc.List(ctx, s.Tenant.ID, 100)
		starts := 0
		for _, x := range list {
			if x.Kind == changes.VersionKind {
				starts++
			}
		}
		if rec, err := svc.RecordVersion(ctx, "salve v9.9.9"); err != nil || !rec {
			t.Fatalf("new version: %v %v", rec, err)
		}
		if rec, err := svc.RecordVersion(ctx, "salve v9.9.9"); err != nil || rec {
			t.Fatalf("same version again: %v %v", rec, err)
		}
		last, err := store.NewChanges(s.Stores.PHI).LastOf(ctx, "", changes.VersionKind)
		if err != nil || last.After["version"] != "salve v9.9.9" || (starts > 0 && last.Before["version"] == "") {
			t.Fatalf("version record: %+v %v (recorded at start: %d)", last, err, starts)
		}
	})
}

// TestChangeObjectsAnswerLikeAbsence: another tenant's change request, or a
// made-up one, answers an admin exactly like a page that does not exist and
// stays pending; roles other than admin and compliance get the plain 404 on
// every compliance page; the requester's own change is theirs to withdraw.
func TestChangeObjectsAnswerLikeAbsence(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
		Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := s.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	foreignAdmin := s.NewPersonIn(t, other, access.RoleAdmin)
	foreign, err := s.Services().Changes.Request(access.WithActor(ctx, access.Actor{ID: foreignAdmin.ID, Role: access.RoleAdmin, TenantID: other.ID}),
		other.ID, changes.KindRetentionRule, retention.Orders, map[string]string{"keep_days": "500"}, "their own policy")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []access.Role{access.RoleAdmin, access.RoleCompliance} {
		c := s.ClientAs(t, s.NewPerson(t, role))
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, target := range []string{foreign.ID, id.New()} {
			for _, action := range []string{"approve", "reject"} {
				r, body := get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+target+"/"+action, url.Values{}))
				if r.StatusCode != 404 || strip(body) != strip(notFound) {
					t.Errorf("%s: %s of another tenant's or a made-up change: %d, differs from a plain 404", role, action, r.StatusCode)
				}
			}
		}
		_, body := get(t, c, s.NewRequest(t, "GET", "/admin/compliance/changes", nil))
		if strings.Contains(body, foreign.ID) || strings.Contains(body, "their own policy") {
			t.Errorf("%s sees another tenant's change", role)
		}
	}
	if still, err := store.NewChanges(s.Stores.PHI).Get(ctx, other.ID, foreign.ID); err != nil || still.Status != changes.Pending {
		t.Fatalf("another tenant's change was touched: %+v %v", still, err)
	}
	for _, role := range []access.Role{access.RolePharmacist, access.RoleClinician, access.RoleStoreManager, access.RoleCustomerService,
		access.RoleFulfillment, access.RolePatient} {
		c := s.ClientAs(t, s.NewPerson(t, role))
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, path := range []string{"/admin/compliance", "/admin/compliance/changes", "/admin/compliance/data-flow", "/admin/compliance/data-flow.svg"} {
			r, body := get(t, c, s.NewRequest(t, "GET", path, nil))
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("%s on %s: %d, differs from a plain 404", role, path, r.StatusCode)
			}
		}
	}
}
