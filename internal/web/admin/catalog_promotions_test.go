package admin_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestPromotionPages: a store manager adds codes; bad input is refused with
// its fields and stores nothing; other staff get the 404.
func TestPromotionPages(t *testing.T) {
	s := testkit.StartServerWithGuard(t, store.SQLite, testkit.TestGuard)
	post := func(v url.Values) (int, string) {
		r, body := do(t, s, as(s.NewRequest(t, "POST", "/admin/catalog/promotions", v), access.RoleStoreManager))
		return r.StatusCode, body
	}
	good := url.Values{"code": {"spring10"}, "kind": {"percent"}, "value": {"10"}, "starts": {"2026-01-01"}, "ends": {"2026-12-31"},
		"usage_limit": {"100"}}
	if code, _ := post(good); code != 303 {
		t.Fatalf("create: %d", code)
	}
	fixed := url.Values{"code": {"FIVE"}, "kind": {"fixed"}, "value": {"5.00"}, "currency": {"usd"}, "starts": {"2026-01-01"}}
	if code, _ := post(fixed); code != 303 {
		t.Fatalf("create fixed: %d", code)
	}
	for name, v := range map[string]url.Values{
		"duplicate":   good,
		"bad kind":    {"code": {"X-1"}, "kind": {"free"}, "value": {"1"}, "starts": {"2026-01-01"}},
		"over 100%":   {"code": {"BIG"}, "kind": {"percent"}, "value": {"150"}, "starts": {"2026-01-01"}},
		"ends before": {"code": {"BACK"}, "kind": {"percent"}, "value": {"5"}, "starts": {"2026-05-01"}, "ends": {"2026-04-01"}},
		"no date":     {"code": {"NODATE"}, "kind": {"percent"}, "value": {"5"}},
		"negative":    {"code": {"NEG"}, "kind": {"percent"}, "value": {"5"}, "starts": {"2026-01-01"}, "usage_limit": {"-1"}},
	} {
		if code, body := post(v); code != 400 || !strings.Contains(body, "form-error") {
			t.Errorf("%s: %d", name, code)
		}
	}
	r, body := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/promotions", nil), access.RoleStoreManager))
	if r.StatusCode != 200 || !strings.Contains(body, "SPRING10") || !strings.Contains(body, "$5.00") || strings.Count(body, "<tr>") != 3 {
		t.Fatalf("list: %d", r.StatusCode)
	}
	if r, _ := do(t, s, as(s.NewRequest(t, "GET", "/admin/catalog/promotions", nil), access.RolePharmacist)); r.StatusCode != 404 {
		t.Fatalf("pharmacist: %d", r.StatusCode)
	}
}
