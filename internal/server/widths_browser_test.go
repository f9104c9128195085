package server_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// pageWidths are the widths every page must fit: a small phone, a tablet, a
// laptop.
var pageWidths = []int64{360, 768, 1280}

// notPages are the GET routes that answer no HTML page, and why; every other
// GET route must have a visit in TestEveryPageAtEveryWidth.
var notPages = map[string]string{
	"GET /healthz":                  "a probe answer",
	"GET /readyz":                   "a probe answer",
	"GET /static/{path...}":         "stylesheets, scripts",
	"GET /theme.css":                "the tenant's stylesheet",
	"GET /logo":                     "an image",
	"GET /favicon.ico":              "an image",
	"GET /media/{sha}/{size}":       "an image",
	"GET /account/mfa/qr.png":       "an image",
	"GET /admin/catalog/export.csv": "a CSV file",
	"GET /login/sso":                "a redirect to the organisation's identity provider",
	"GET /login/sso/callback":       "the identity provider's redirect back, with its code",
}

// overflowing names the innermost elements that reach past the window's
// right edge, for the failure message.
const overflowing = `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 &&
  !Array.from(e.children).some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5)).slice(0, 5).map(e =>
  e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") +
  " (right " + Math.round(e.getBoundingClientRect().right) + "px)").join(", ")`

// visit is one page to open: a path with real ids, as a persona.
type visit struct {
	path, as string
}

// TestEveryPageAtEveryWidth opens every GET page of the demo data, as a person
// who may see it, at 360, 768 and 1280 px: no page may scroll sideways
// (document wider than the window), and axe-core finds no WCAG A/AA
// violation. A new GET route fails the test until it has a visit here (or a
// reason in notPages).
func TestEveryPageAtEveryWidth(t *testing.T) {
	start := time.Now()
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	cat := s.Catalog()
	if _, err := demo.SeedCatalog(ctx, cat, s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedLegalPages(ctx, cat, s.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	// Real ids from the seeded data; the product with the longest name, so
	// the layout meets its hardest case.
	products, err := cat.AllProducts(ctx, s.Tenant.ID)
	if err != nil || len(products) == 0 {
		t.Fatalf("demo products: %v", err)
	}
	var long *catalog.Product
	for _, h := range products {
		p, err := cat.ProductByID(ctx, s.Tenant.ID, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if long == nil || (len(p.Name) > len(long.Name) && len(p.Variants) > 0 && p.Variants[0].Stock > 0 && !p.RequiresPrescription) {
			long = p
		}
	}
	cats, err := cat.Categories(ctx, s.Tenant.ID)
	if err != nil || len(cats) == 0 {
		t.Fatalf("demo categories: %v", err)
	}

	// People: a patient with an order, every staff role, a member of staff
	// half-way through signing in, and a break-glass use to review.
	patient := s.NewPerson(t, access.RolePatient)
	pc := s.ClientAs(t, patient)
	if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {long.Variants[0].ID}, "quantity": {"2"}})); r.StatusCode != 303 {
		t.Fatalf("add to cart: %d", r.StatusCode)
	}
	r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"gateway": {"invoice"}, "name": {"Pat Doe"},
		"line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}))
	m := regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`).FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("place order: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	orderID := m[1]
	// Something in the cart again, for the cart and checkout pages.
	testkit.Do(t, pc, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {long.Variants[0].ID}, "quantity": {"1"}}))
	tokens := map[string]string{"visitor": "", "patient": patient.Token}
	for _, role := range access.Roles {
		if role.Staff() {
			tokens[string(role)] = s.NewPerson(t, role).Token
		}
	}
	clinician := s.NewPerson(t, access.RoleClinician)
	r, body := testkit.Do(t, s.ClientAs(t, clinician), s.NewRequest(t, "POST", "/staff/break-glass",
		url.Values{"email": {patient.Email}, "reason": {"Collapsed in the pharmacy, need allergy history"}}))
	grantOrders := regexp.MustCompile(`/staff/break-glass/[0-9a-f-]{36}/orders`).FindString(body)
	if r.StatusCode != 200 || grantOrders == "" {
		t.Fatalf("break glass: %d, no link to what it opens", r.StatusCode)
	}
	// The grant's orders page opens only for the clinician who broke the glass.
	tokens["breaking-glass"] = clinician.Token
	if _, err := s.Services().Accounts.CreateUser(ctx, s.Tenant.ID, access.RolePharmacist, "half-way@example.com", "", testkit.PersonPassword); err != nil {
		t.Fatal(err)
	}
	half, _, err := s.Services().SignIn.Login(ctx, s.Tenant, signin.Attempt{Email: "half-way@example.com", Password: testkit.PersonPassword, ClientIP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	tokens["half-way"] = half

	// Who opens each page: the persona its policy (security_test.go) allows.
	persona := map[audience]string{everyone: "visitor", signedIn: "patient", finishing: "half-way", staffOnly: "admin",
		adminOnly: "admin", patients: "patient", careTeam: string(access.RolePharmacist), reviewers: string(access.RoleCompliance),
		managers: string(access.RoleStoreManager), orderStaff: string(access.RoleCustomerService),
		patientViewers: string(access.RoleCustomerService)}
	ids := strings.NewReplacer("{slug}", long.Slug, "{id}", orderID)
	special := map[string][]string{
		"GET /categories/{slug}":             {"/categories/" + cats[0].Slug},
		"GET /pages/{slug}":                  {"/pages/diabetes-month", "/pages/privacy"},
		"GET /admin/catalog/products/{id}":   {"/admin/catalog/products/" + long.ID},
		"GET /admin/catalog/pages/{slug}":    {"/admin/catalog/pages/diabetes-month"},
		"GET /account/orders/{id}/pay":       {"/account/orders/" + orderID + "/pay"},
		"GET /products":                      {"/products", "/products?q=test&page=2"},
		"GET /staff":                         nil, // every staff role, below
		"GET /staff/break-glass/{id}/orders": nil, // the grant's clinician, below
		"GET /staff/patients/{id}":           {"/staff/patients/" + patient.ID},
		"GET /api/v1/openapi.json":           nil,
		"GET /api/v1/products":               nil,
		"GET /api/v1/products/{slug}":        nil,
		"GET /api/v1/cart":                   nil,
		"GET /api/v1/orders":                 nil,
		"GET /api/v1/orders/{id}":            nil,
	}
	var visits []visit
	for _, rt := range s.Router().Routes() {
		if !strings.HasPrefix(rt.Pattern, "GET ") {
			continue
		}
		if _, ok := notPages[rt.Pattern]; ok {
			continue
		}
		if strings.HasPrefix(rt.Pattern, "GET /api/") {
			// The JSON API answers programs, not people.
			continue
		}
		who, ok := persona[routePolicy[rt.Pattern]]
		if !ok {
			t.Errorf("%s: no visit at every width; give it one (or a reason in notPages)", rt.Pattern)
			continue
		}
		paths, ok := special[rt.Pattern]
		if !ok {
			p := strings.TrimSuffix(strings.TrimPrefix(rt.Pattern, "GET "), "{$}")
			if strings.Contains(p, "{") {
				p = ids.Replace(p)
			}
			if strings.Contains(p, "{") {
				t.Errorf("%s: no real id for this route; add it to special", rt.Pattern)
				continue
			}
			paths = []string{p}
		}
		for _, p := range paths {
			visits = append(visits, visit{p, who})
		}
	}
	for _, role := range access.Roles {
		if role.Staff() {
			visits = append(visits, visit{"/staff", string(role)})
		}
	}
	// The longest menus: the home page and a product as the admin and as the
	// patient; a page that does not exist (the 404 page) as a visitor and as
	// staff denied a page of another role.
	visits = append(visits, visit{"/", "admin"}, visit{"/", "patient"}, visit{"/products/" + long.Slug, "admin"},
		visit{"/no-such-page", "visitor"}, visit{"/staff/orders", "admin"}, visit{grantOrders, "breaking-glass"},
		visit{"/staff/patients/" + patient.ID, "breaking-glass"}) // with the emergency banner

	b := testkit.NewBrowser(t, s.URL)
	origin, _ := url.Parse(s.URL)
	current := "-"
	for _, v := range visits {
		if v.as != current {
			b.Run(network.ClearBrowserCookies())
			if tok := tokens[v.as]; tok != "" {
				b.Run(network.SetCookie(web.CookiePlain, tok).WithDomain(origin.Hostname()).WithPath("/").WithHTTPOnly(true))
			}
			current = v.as
		}
		for _, w := range pageWidths {
			var scroll, inner int64
			b.Run(chromedp.EmulateViewport(w, 800), chromedp.Navigate(s.URL+v.path), chromedp.WaitReady("body"),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &scroll),
				chromedp.Evaluate(`window.innerWidth`, &inner))
			where := v.path + " as " + v.as + " at " + strconv.FormatInt(w, 10) + "px"
			if scroll > inner {
				var culprits string
				b.Run(chromedp.Evaluate(overflowing, &culprits))
				t.Errorf("%s: the page scrolls sideways: %dpx of content in a %dpx window (past the edge: %s)", where, scroll, inner, culprits)
			}
			b.AxeAt(where)
		}
	}
	// Every page carries the tenant's menu and legal footer, not only the
	// shop's: the cart and sign-in pages say so here.
	for _, p := range []string{"/cart", "/login", "/no-such-page"} {
		var html string
		b.Run(network.ClearBrowserCookies(), chromedp.Navigate(s.URL+p), chromedp.OuterHTML("body", &html))
		for _, want := range []string{`href="/categories/vitamins"`, `href="/pages/privacy"`, `href="/pages/contact"`, `href="/pages/terms"`} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: no %s in the layout", p, want)
			}
		}
	}
	t.Logf("%d pages at %d widths in %s", len(visits), len(pageWidths), time.Since(start).Round(time.Second))
}
