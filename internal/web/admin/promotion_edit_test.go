package admin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPromotionEditPauseEndDuplicate: a store manager edits a code's rules
// (bad input and a limit below the uses made save nothing), pauses and
// resumes it (a paused code is refused), ends it, and duplicates it under a
// new code (paused, no uses; a taken code is refused). Another tenant's code
// and a made-up id are the plain 404 on every route; other staff get the
// 404 too. Both engines.
func TestPromotionEditPauseEndDuplicate(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		ctx := context.Background()
		svc := s.Services().Promotions
		now := s.Clock.Now().UTC()
		p := &promo.Promotion{TenantID: s.Tenant.ID, Code: "SPRING10", Kind: promo.Percent, Value: 10, StartsAt: now.Add(-24 * time.Hour), UsageLimit: 5}
		if err := svc.Create(ctx, p); err != nil {
			t.Fatal(err)
		}
		// One use made, as checkout counts it.
		if _, err := s.Stores.Catalog.Writer().Exec(`UPDATE promotions SET used = 2 WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		path := "/admin/catalog/promotions/" + p.ID
		post := func(suffix string, v url.Values) (int, string, string) {
			r, body := do(t, s, as(s.NewRequest(t, "POST", path+suffix, v), access.RoleStoreManager))
			return r.StatusCode, r.Header.Get("Location"), body
		}
		get := func() *promo.Promotion {
			got, err := svc.Get(ctx, s.Tenant.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		r, body := do(t, s, as(s.NewRequest(t, "GET", path, nil), access.RoleStoreManager))
		if r.StatusCode != 200 || !strings.Contains(body, "SPRING10") || !strings.Contains(body, "2 used of 5") || !strings.Contains(body, "Active") {
			t.Fatalf("page: %d", r.StatusCode)
		}

		edit := url.Values{"kind": {"fixed"}, "value": {"7.50"}, "currency": {"usd"}, "starts": {now.Format("2006-01-02")},
			"ends": {now.AddDate(0, 1, 0).Format("2006-01-02")}, "usage_limit": {"3"}, "code": {"HIJACK"}}
		if code, loc, _ := post("", edit); code != 303 || !strings.HasPrefix(loc, path) {
			t.Fatalf("save: %d %s", code, loc)
		}
		if got := get(); got.Code != "SPRING10" || got.Kind != promo.Fixed || got.Value != 750 || got.Currency != "USD" || got.UsageLimit != 3 || got.EndsAt.IsZero() {
			t.Fatalf("saved: %+v", got)
		}
		for name, v := range map[string]url.Values{
			"below the uses": {"kind": {"percent"}, "value": {"5"}, "starts": {"2026-01-01"}, "usage_limit": {"1"}},
			"over 100%":      {"kind": {"percent"}, "value": {"150"}, "starts": {"2026-01-01"}},
			"no date":        {"kind": {"percent"}, "value": {"5"}},
			"not a number":   {"kind": {"percent"}, "value": {"five"}, "starts": {"2026-01-01"}},
		} {
			if code, _, body := post("", v); code != 400 || !strings.Contains(body, "form-error") {
				t.Errorf("%s: %d", name, code)
			}
		}
		if got := get(); got.Value != 750 || got.UsageLimit != 3 {
			t.Fatalf("a refused edit saved: %+v", got)
		}

		if code, _, _ := post("/pause", nil); code != 303 || !get().Paused {
			t.Fatalf("pause: %d", code)
		}
		byCode, err := svc.ByCode(ctx, s.Tenant.ID, "spring10")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := byCode.Discount(10000, 1, "USD", now); err == nil || !strings.Contains(err.Error(), "promotion code") {
			t.Fatalf("a paused code gave a discount: %v", err)
		}
		if code, _, _ := post("/resume", nil); code != 303 || get().Paused {
			t.Fatalf("resume: %d", code)
		}
		if code, _, _ := post("/end", nil); code != 303 || get().Status(now) != "Ended" {
			t.Fatalf("end: %d %s", code, get().Status(now))
		}
		if _, err := get().Discount(10000, 1, "USD", now); err == nil {
			t.Fatal("an ended code gave a discount")
		}

		// Duplicate: a taken or bad code is refused and stores nothing.
		for _, c := range []string{"SPRING10", "x"} {
			if code, _, body := post("/duplicate", url.Values{"code": {c}}); code != 400 || !strings.Contains(body, "form-error") {
				t.Errorf("duplicate as %q: %d", c, code)
			}
		}
		code, loc, _ := post("/duplicate", url.Values{"code": {"summer10"}})
		if code != 303 || !strings.HasPrefix(loc, "/admin/catalog/promotions/") || strings.HasPrefix(loc, path) {
			t.Fatalf("duplicate: %d %s", code, loc)
		}
		copyOf, err := svc.ByCode(ctx, s.Tenant.ID, "SUMMER10")
		if err != nil || !copyOf.Paused || copyOf.Used != 0 || copyOf.Value != 750 || copyOf.Kind != promo.Fixed || copyOf.UsageLimit != 3 ||
			!copyOf.EndsAt.IsZero() || copyOf.Status(now) != "Paused" {
			t.Fatalf("copy: %+v %v", copyOf, err)
		}
		if list, _ := svc.List(ctx, s.Tenant.ID); len(list) != 2 {
			t.Fatalf("%d codes after a duplicate and two refused ones", len(list))
		}

		// Another tenant's code and a made-up id: the plain 404 everywhere,
		// and nothing changes.
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		theirs := &promo.Promotion{TenantID: other.ID, Code: "THEIRS", Kind: promo.Percent, Value: 50, StartsAt: now.Add(-time.Hour)}
		if err := svc.Create(ctx, theirs); err != nil {
			t.Fatal(err)
		}
		for _, pid := range []string{theirs.ID, id.New()} {
			base := "/admin/catalog/promotions/" + pid
			if r, _ := do(t, s, as(s.NewRequest(t, "GET", base, nil), access.RoleStoreManager)); r.StatusCode != 404 {
				t.Errorf("GET %s: %d", pid, r.StatusCode)
			}
			for _, suffix := range []string{"", "/pause", "/resume", "/end", "/duplicate"} {
				v := url.Values{"code": {"STOLEN"}, "kind": {"percent"}, "value": {"99"}, "starts": {"2026-01-01"}}
				if r, _ := do(t, s, as(s.NewRequest(t, "POST", base+suffix, v), access.RoleStoreManager)); r.StatusCode != 404 {
					t.Errorf("POST %s%s: %d", pid, suffix, r.StatusCode)
				}
			}
		}
		if got, err := svc.Get(ctx, other.ID, theirs.ID); err != nil || got.Paused || got.Value != 50 || !got.EndsAt.IsZero() {
			t.Fatalf("another tenant's code changed: %+v %v", got, err)
		}
		if _, err := svc.ByCode(ctx, s.Tenant.ID, "STOLEN"); err == nil {
			t.Fatal("a duplicate of another tenant's code was stored")
		}
		for _, role := range []access.Role{access.RolePharmacist, access.RoleCustomerService} {
			if r, _ := do(t, s, as(s.NewRequest(t, "POST", path+"/pause", nil), role)); r.StatusCode != 404 {
				t.Errorf("%s pausing: %d", role, r.StatusCode)
			}
		}
	})
}
