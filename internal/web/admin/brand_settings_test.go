package admin_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBrandSettingsPage: a store manager sets the brand's footer and
// colour, sees them on every page and in the theme at once, resets one to
// inherited; a refused value changes nothing and says why; an unknown
// setting and other staff get the 404. Both engines.
func TestBrandSettingsPage(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServerWithGuard(t, e, testkit.TestGuard)
		req := func(method, path string, v url.Values, role access.Role) (int, string) {
			r, body := do(t, s, as(s.NewRequest(t, method, path, v), role))
			return r.StatusCode, body
		}
		mgr := access.RoleStoreManager
		if code, body := req("GET", "/admin/brand", nil, mgr); code != 200 || !strings.Contains(body, "Footer text") || strings.Contains(body, "Reset to inherited") {
			t.Fatalf("the page: %d", code)
		}
		if code, _ := req("POST", "/admin/brand/footer", url.Values{"value": {"Open every day 8–20"}}, mgr); code != 303 {
			t.Fatalf("set footer: %d", code)
		}
		if code, _ := req("POST", "/admin/brand/primary_color", url.Values{"value": {"#5A1E1E"}}, mgr); code != 303 {
			t.Fatalf("set colour: %d", code)
		}
		if code, body := req("GET", "/", nil, ""); code != 200 || !strings.Contains(body, "Open every day 8–20") {
			t.Fatalf("the footer on the home page at once: %d", code)
		}
		if _, css := req("GET", "/theme.css", nil, ""); !strings.Contains(css, "#5a1e1e") {
			t.Fatalf("the colour in the theme: %s", css)
		}
		code, body := req("POST", "/admin/brand/accent_color", url.Values{"value": {"teal"}}, mgr)
		if code != 400 || !strings.Contains(body, "Use a colour such as") || !strings.Contains(body, `value="teal"`) {
			t.Fatalf("a refused colour: %d", code)
		}
		if _, css := req("GET", "/theme.css", nil, ""); strings.Contains(css, "teal") {
			t.Fatal("a refused value was saved")
		}
		if _, body := req("GET", "/admin/brand", nil, mgr); strings.Count(body, "Reset to inherited") != 2 {
			t.Fatalf("two settings set here: %d resets", strings.Count(body, "Reset to inherited"))
		}
		if code, _ := req("POST", "/admin/brand/footer/reset", url.Values{}, mgr); code != 303 {
			t.Fatalf("reset: %d", code)
		}
		if _, body := req("GET", "/", nil, ""); strings.Contains(body, "Open every day") {
			t.Fatal("the footer stayed after reset")
		}
		for _, c := range []struct {
			method, path string
			role         access.Role
		}{
			{"POST", "/admin/brand/no_such_setting", mgr},
			{"POST", "/admin/brand/no_such_setting/reset", mgr},
			{"GET", "/admin/brand", access.RolePharmacist},
			{"POST", "/admin/brand/footer", access.RoleClinician},
			{"POST", "/admin/brand/footer", access.RolePatient},
		} {
			if code, _ := req(c.method, c.path, url.Values{"value": {"x"}}, c.role); code != 404 {
				t.Errorf("%s %s as %s: %d, want 404", c.method, c.path, c.role, code)
			}
		}
	})
}
