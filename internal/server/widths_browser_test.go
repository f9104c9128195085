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
	"golang.org/x/oauth2"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/offers"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/webhooks"
)

// pageWidths are the widths every page must fit: a small phone, a tablet, a
// laptop.
var pageWidths = []int64{360, 768, 1280}

// notPages are the GET routes that answer no HTML page, and why; every other
// GET route must have a visit in TestEveryPageAtEveryWidth.
var notPages = map[string]string{
	"GET /healthz":                                      "a probe answer",
	"GET /readyz":                                       "a probe answer",
	"GET /static/{path...}":                             "stylesheets, scripts",
	"GET /theme.css":                                    "the tenant's stylesheet",
	"GET /logo":                                         "an image",
	"GET /favicon.ico":                                  "an image",
	"GET /media/{sha}/{size}":                           "an image",
	"GET /account/mfa/qr.png":                           "an image",
	"GET /admin/catalog/export.csv":                     "a CSV file",
	"GET /account/forms/responses/{id}/fhir":            "a FHIR JSON download",
	"GET /admin/forms/{id}/questionnaire":               "a FHIR JSON download",
	"GET /login/sso":                                    "a redirect to the organisation's identity provider",
	"GET /login/sso/callback":                           "the identity provider's redirect back, with its code",
	"GET /staff/prescriptions/{id}/document":            "an uploaded image or PDF",
	"GET /account/widgets/{key}":                        "a counted redirect to the widget's page",
	"GET /admin/compliance/retention/certificates/{id}": "a plain-text download",
	// Secure messaging (issue 16): a message's file, served as a download.
	"GET /account/messages/attachments/{id}": "a message's image or PDF, as a download",
	"GET /staff/messages/attachments/{id}":   "a message's image or PDF, as a download",

	// Billing (issue 16): the HSA/FSA receipts as PDF.
	"GET /account/orders/{id}/hsa-receipt.pdf":    "a PDF download",
	"GET /account/billing/{year}/hsa-receipt.pdf": "a PDF download",
	// Compliance operations (issue 19).
	"GET /admin/compliance/data-flow.svg": "an SVG image (shown on /admin/compliance/data-flow)",
	// Issue 16.
	"GET /account/records/{id}/download":      "a zip file",
	"GET /account/access-log/disclosures.csv": "a CSV file",
	// Issue 19.
	"GET /admin/compliance/vendors/{id}/document": "the signed BAA, a PDF download",
	"GET /admin/compliance/reviews/{id}/evidence": "a review's evidence, a plain-text download",
	"GET /admin/compliance/reviews/{id}/file":     "a review's evidence file, a download",
	// Devices (issue 17).
	"GET /account/devices/readings/{type}/csv": "a CSV file",
	// Incidents (issue 19).
	"GET /admin/compliance/incidents/hhs-log.csv":           "a CSV file",
	"GET /admin/compliance/incidents/{id}/letters/{person}": "a notice letter, a PDF download",
	"GET /account/notices/{id}/letter":                      "a notice letter, a PDF download",
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
	staffOf := map[access.Role]testkit.Person{}
	for _, role := range access.Roles {
		if role.Staff() {
			staffOf[role] = s.NewPerson(t, role)
			tokens[string(role)] = staffOf[role].Token
		}
	}
	// Appointments: the demo's offer, the clinician's hours, and the
	// patient's two upcoming and one past appointment.
	appts, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, staffOf[access.RoleStoreManager].ID,
		staffOf[access.RoleClinician].ID, patient.ID)
	if err != nil {
		t.Fatal(err)
	}
	me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	firstAppt, err := s.Services().Appointments.Get(me, s.Tenant.ID, patient.ID, appts[0])
	if err != nil {
		t.Fatal(err)
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
	// The dashboard: the patient hides a widget (so the page offers it
	// back), and a carer acts for them with some classes granted.
	if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/dashboard/devices/hide", url.Values{})); r.StatusCode != 303 {
		t.Fatalf("hide a widget: %d", r.StatusCode)
	}
	carer := s.NewPerson(t, access.RolePatient)
	if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
		carer.Email, []string{"orders", "clinical"}); err != nil {
		t.Fatal(err)
	}
	s.Services().After.Wait() // the grant is made after the answer
	tokens["proxy"] = carer.Token

	// Prescriptions: one verified (the patient's page shows its fills and
	// Refill), one waiting for the pharmacist (the form to record it).
	asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	asPharmacist := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RolePharmacist, TenantID: s.Tenant.ID})
	var rxVariant string
	for _, p := range products {
		if p.RequiresPrescription && len(p.Variants) > 0 && rxVariant == "" {
			rxVariant = p.Variants[0].ID
		}
	}
	paper := []byte("%PDF-1.4\n%%EOF\n")
	verified, err := s.Services().Rx.Submit(asPatient, s.Tenant.ID, patient.ID, rx.Submission{File: paper})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services().Rx.Decide(asPharmacist, s.Tenant.ID, verified.ID, rx.Verification{Version: 1, Drug: "Insulin glargine",
		Strength: "100 units/mL", Quantity: 5, Refills: 3, Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01",
		DaysSupply: 30, VariantID: rxVariant}); err != nil {
		t.Fatal(err)
	}
	// Returns (issue 18): a delivered order with a requested return, so the
	// return form, the patient's order page and the staff order page show
	// them.
	deliveredID := deliveredWithReturn(t, s, asPatient, patient.ID, long.Variants[0].ID)
	pending, err := s.Services().Rx.Submit(asPatient, s.Tenant.ID, patient.ID, rx.Submission{PrescriberName: "Dr Ana Rivera, Riverside Family Practice",
		PrescriberPhone: "555-0100"})
	if err != nil {
		t.Fatal(err)
	}

	// Lab results: the clinician caring for the patient, with a released
	// report (its page and a trend) and a held critical one (their page's
	// every section).
	labDoc := staffOf[access.RoleClinician]
	giveCare(t, s, s.Tenant, labDoc.ID, patient.ID)
	dctx := access.WithActor(ctx, access.Actor{ID: labDoc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	history := demo.LabHistory(patient.ID, labDoc.ID, s.Clock.Now())
	history[len(history)-1].Release = false
	history[len(history)-1].Observations[0].Value = 15
	labIDs, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, history)
	if err != nil {
		t.Fatal(err)
	}
	lipidID := labIDs[len(labIDs)-2]
	lipid, err := s.Services().Labs.Get(dctx, s.Tenant.ID, lipidID)
	if err != nil {
		t.Fatal(err)
	}

	// Devices (issue 17): a glucose meter with 90 days of readings (some
	// past an alert threshold) and a blood pressure monitor with a week.
	seedDeviceReadings(t, s, patient, 90, 7)

	// A disposal certificate for the compliance officer's retention page.
	if err := store.NewRetention(s.Stores.PHI).AddCertificate(ctx, retention.Certificate{ID: id.New(), TenantID: s.Tenant.ID,
		Subject: id.New(), ClosedAt: s.Clock.Now().AddDate(-7, 0, 0), RetainedUntil: s.Clock.Now().AddDate(0, 0, -1),
		DisposedAt: s.Clock.Now(), Actor: "system job retention.dispose", Method: retention.Method,
		Rule: "documentation kept 2190 days after the account closed"}); err != nil {
		t.Fatal(err)
	}

	// Compliance operations (issue 19): a pending change request and a
	// decided one, for the changes page's two tables.
	asAdmin := access.WithActor(ctx, access.Actor{ID: staffOf[access.RoleAdmin].ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID})
	if _, err := s.Services().Changes.Request(asAdmin, s.Tenant.ID, changes.KindRetentionRule, retention.Messages,
		map[string]string{"keep_days": "730"}, "Counsel asked for two years of messages after closure"); err != nil {
		t.Fatal(err)
	}
	rejected, err := s.Services().Changes.Request(asAdmin, s.Tenant.ID, changes.KindStaffRole, staffOf[access.RoleFulfillment].ID,
		map[string]string{"role": string(access.RoleCustomerService)}, "Covering the phones this month")
	if err != nil {
		t.Fatal(err)
	}
	asOfficer := access.WithActor(ctx, access.Actor{ID: staffOf[access.RoleCompliance].ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
	if _, err := s.Services().Changes.Reject(asOfficer, s.Tenant.ID, rejected.ID, "Use a temporary second account instead"); err != nil {
		t.Fatal(err)
	}
	// Vendors and webhooks (issue 19): a vendor with its signed BAA, one
	// without, the relay bound, a refused attempt, a webhook and a delivery.
	seedVendorsAndWebhooks(t, s)
	// Scheduled reviews (issue 19): a restore drill and a recertification
	// done, so the calendar and the record of reviews both have rows.
	if _, err := s.Services().Reviews.Complete(asOfficer, s.Tenant.ID, reviews.RestoreDrill, "",
		"Restored last night's backup into scratch stores; the audit chain verified; output in ticket 118."); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services().Reviews.Complete(asOfficer, s.Tenant.ID, reviews.Recertification, staffOf[access.RolePharmacist].ID,
		"Roles checked against the staff list of HR"); err != nil {
		t.Fatal(err)
	}
	// Patient rights (issue 16 parts 5 and 7): a correction request on the
	// lipid report (one accepted with a denied one and its statement, so
	// the record's page shows what travels with it), a pending one for the
	// staff forms; a signed authorization and a targeted promotion.
	amendIDs := map[string]string{}
	for i, key := range []string{"accepted", "denied", "pending"} {
		a, err := s.Services().Amendments.Request(asPatient, s.Tenant.ID, amend.Input{Kind: amend.LabResult, RecordID: lipidID,
			Field: lipid.Observations[i%len(lipid.Observations)].ID, Proposed: "A corrected value, typed by the patient at some length to wrap",
			Reason: "The sample was taken after a meal although the form said fasting."})
		if err != nil {
			t.Fatal(err)
		}
		amendIDs[key] = a.ID
	}
	if _, err := s.Services().Amendments.Decide(dctx, s.Tenant.ID, amendIDs["accepted"], amend.Decision{Accept: true, Value: "123.4"}); err != nil { // the value written into the report (issue 16 finishing)
		t.Fatal(err)
	}
	if _, err := s.Services().Amendments.Decide(dctx, s.Tenant.ID, amendIDs["denied"], amend.Decision{Reason: "The laboratory confirmed the value."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services().Amendments.Disagree(asPatient, s.Tenant.ID, amendIDs["denied"], "I disagree: I had eaten an hour before."); err != nil {
		t.Fatal(err)
	}
	// A profile correction (the date of birth), denied by customer service,
	// with the patient's statement: the profile page shows it.
	pa, err := s.Services().Amendments.Request(asPatient, s.Tenant.ID, amend.Input{Kind: amend.Profile, RecordID: patient.ID,
		Field: "dob", Proposed: "1980-04-24", Reason: "The clinic typed the day after my birthday."})
	if err != nil {
		t.Fatal(err)
	}
	amendIDs["profile"] = pa.ID
	asCS := access.WithActor(ctx, access.Actor{ID: staffOf[access.RoleCustomerService].ID, Role: access.RoleCustomerService, TenantID: s.Tenant.ID})
	if _, err := s.Services().Amendments.Decide(asCS, s.Tenant.ID, pa.ID, amend.Decision{Reason: "Bring an identity document to the pharmacy."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services().Amendments.Disagree(asPatient, s.Tenant.ID, pa.ID, "My passport says the 24th."); err != nil {
		t.Fatal(err)
	}
	if err := s.Services().Marketing.Grant(asPatient, s.Tenant.ID, patient.ID, marketing.Grant{Purpose: marketing.HealthOffers, Name: "Pat Doe",
		SignedOn: s.Clock.Now().UTC().Format(time.DateOnly), Assent: true}); err != nil {
		t.Fatal(err)
	}
	targeted := &promo.Promotion{TenantID: s.Tenant.ID, Code: "STRIPS20", Kind: promo.Percent, Value: 20, StartsAt: s.Clock.Now().Add(-time.Hour),
		Target: promo.Target{Kind: promo.TargetLabHigh, Code: "13457-7"}}
	if err := s.Services().Promotions.Create(ctx, targeted); err != nil {
		t.Fatal(err)
	}

	// The shop in an organisation whose shared catalog has a product with a
	// long name, chosen here at a price of its own, and one not chosen: the
	// organisation catalog page at its fullest.
	group := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	tenants := store.NewTenants(s.Stores.Catalog)
	if err := tenants.CreateOrg(ctx, group); err != nil {
		t.Fatal(err)
	}
	s.Tenant.OrgID = group.ID
	if err := tenants.Update(ctx, s.Tenant); err != nil {
		t.Fatal(err)
	}
	if err := s.Tenants().Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	orgCat := catalog.NewService(store.NewOrgCatalogRepo(s.Stores.Catalog), s.Clock)
	shared := &catalog.Product{Name: "Organisation Broad-Spectrum Mineral Sunscreen Lotion SPF 50 Fragrance Free",
		Variants: []catalog.Variant{{SKU: "ORG-SUNSCREEN-LOTION-200ML", Name: "200 ml family size bottle", Price: 1899, Stock: 40},
			{SKU: "ORG-SUNSCREEN-LOTION-50ML", Name: "50 ml", Price: 799, Stock: 0}}}
	if err := orgCat.SaveProduct(ctx, group.ID, shared); err != nil {
		t.Fatal(err)
	}
	if err := orgCat.SaveProduct(ctx, group.ID, &catalog.Product{Name: "Organisation Gloves", Variants: []catalog.Variant{{SKU: "ORG-GLOVES", Price: 499, Stock: 3}}}); err != nil {
		t.Fatal(err)
	}
	asManager := access.WithActor(ctx, access.Actor{ID: "widths-manager", Role: access.RoleStoreManager, TenantID: s.Tenant.ID})
	shop := offers.New(store.NewOrgCatalogRepo(s.Stores.Catalog), cat, s.Stores.AuditLog)
	if err := shop.Choose(asManager, s.Tenant.ID, shared.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := shop.SetPrice(asManager, s.Tenant.ID, shared.Variants[0].ID, "17.50"); err != nil {
		t.Fatal(err)
	}
	if err := shop.SetStock(asManager, s.Tenant.ID, shared.Variants[1].ID, "12"); err != nil {
		t.Fatal(err)
	}
	// A store manager with the organisation-level role: the organisation's
	// own product pages (anyone else gets their 404).
	orgManager := s.NewPerson(t, access.RoleStoreManager)
	if _, err := s.Services().Grants.GrantOrgRole(access.WithActor(ctx, access.System("org-role", s.Tenant.ID)), group.ID, s.Tenant.ID,
		orgManager.Email, access.RoleStoreManager); err != nil {
		t.Fatal(err)
	}
	tokens["org-manager"] = orgManager.Token

	// Who opens each page: the persona its policy (security_test.go) allows.
	persona := map[audience]string{everyone: "visitor", signedIn: "patient", finishing: "half-way", staffOnly: "admin",
		adminOnly: "admin", patients: "patient", careTeam: string(access.RolePharmacist), reviewers: string(access.RoleCompliance),
		managers: string(access.RoleStoreManager), orderStaff: string(access.RoleCustomerService),
		pharmacists: string(access.RolePharmacist), clinicians: string(access.RoleClinician),
		patientViewers: string(access.RoleCustomerService), officers: string(access.RoleCompliance)}
	ids := strings.NewReplacer("{slug}", long.Slug, "{id}", orderID)
	special := map[string][]string{
		"GET /categories/{slug}":                {"/categories/" + cats[0].Slug},
		"GET /pages/{slug}":                     {"/pages/diabetes-month", "/pages/privacy"},
		"GET /admin/catalog/products/{id}":      {"/admin/catalog/products/" + long.ID},
		"GET /admin/catalog/pages/{slug}":       {"/admin/catalog/pages/diabetes-month"},
		"GET /account/orders/{id}/pay":          {"/account/orders/" + orderID + "/pay"},
		"GET /account/orders/{id}/return":       {"/account/orders/" + orderID + "/return", "/account/orders/" + deliveredID + "/return"},
		"GET /account/orders/{id}":              {"/account/orders/" + orderID, "/account/orders/" + deliveredID},
		"GET /staff/orders/{id}":                {"/staff/orders/" + orderID, "/staff/orders/" + deliveredID},
		"GET /account/appointments/{id}":        {"/account/appointments/" + appts[0], "/account/appointments/" + appts[2]},
		"GET /account/results/{id}":             {"/account/results/" + lipidID},
		"GET /account/results/{id}/trend/{obs}": {"/account/results/" + lipidID + "/trend/" + lipid.Observations[2].ID},
		"GET /staff/appointments":               {"/staff/appointments", "/staff/appointments?day=" + firstAppt.Start.Format("2006-01-02")},
		"GET /products":                         {"/products", "/products?q=test&page=2"},
		"GET /staff/prescriptions/{id}":         {"/staff/prescriptions/" + pending.ID, "/staff/prescriptions/" + verified.ID},
		"GET /staff":                            nil, // every staff role, below
		"GET /account/for/{patient}":            nil, // the patient's proxy, below
		"GET /staff/break-glass/{id}/orders":    nil, // the grant's clinician, below
		"GET /staff/patients/{id}":              {"/staff/patients/" + patient.ID},
		"GET /api/v1/openapi.json":              nil,
		"GET /api/v1/products":                  nil,
		"GET /api/v1/products/{slug}":           nil,
		"GET /api/v1/cart":                      nil,
		"GET /api/v1/orders":                    nil,
		"GET /api/v1/orders/{id}":               nil,

		// Billing (issue 16): the year's HSA/FSA receipt.
		"GET /account/billing/{year}/hsa-receipt": {"/account/billing/" + strconv.Itoa(s.Clock.Now().Year()) + "/hsa-receipt"},
		// Patient rights (issue 16 parts 5 and 7).
		"GET /account/amendments/new":              {"/account/amendments/new?kind=lab_result&record=" + lipidID, "/account/amendments/new?kind=profile&record=" + patient.ID},
		"GET /account/amendments/{id}":             {"/account/amendments/" + amendIDs["denied"], "/account/amendments/" + amendIDs["pending"]},
		"GET /staff/amendments":                    nil, // the caring clinician, below
		"GET /staff/amendments/{id}":               nil, // the caring clinician, below
		"GET /admin/catalog/promotions/{id}/reach": {"/admin/catalog/promotions/" + targeted.ID + "/reach"},
		"GET /admin/catalog/promotions/{id}":       {"/admin/catalog/promotions/" + targeted.ID},
		// Devices (issue 17): a day and a quarter of glucose, a week of
		// blood pressure (two lines); the clinician caring for the patient.
		"GET /account/devices/readings/{type}": {"/account/devices/readings/glucose?period=day", "/account/devices/readings/glucose?period=quarter",
			"/account/devices/readings/blood_pressure"},
		"GET /staff/patients/{id}/devices": {"/staff/patients/" + patient.ID + "/devices"},
		// The organisation's own products: its store manager, below.
		"GET /admin/catalog/organisation/products":      nil,
		"GET /admin/catalog/organisation/products/new":  nil,
		"GET /admin/catalog/organisation/products/{id}": nil,
	}
	// Secure messaging (issue 16): a pharmacy team with the pharmacist on
	// it, and a thread of the patient's with a file and an answer.
	persona[messageStaff] = string(access.RolePharmacist)
	threadID := seedMessages(t, s, patient.ID, staffOf[access.RoleAdmin].ID, staffOf[access.RolePharmacist].ID)
	special["GET /account/messages/{id}"] = []string{"/account/messages/" + threadID}
	special["GET /staff/messages/{id}"] = []string{"/staff/messages/" + threadID}

	// Incidents (issue 19): a breach notified to the patient (its page
	// with the letters; the patient's notices) and an open one not yet
	// assessed (the page with every form).
	persona[officers] = string(access.RoleCompliance)
	notified, open := seedIncidents(t, s, patient.ID, staffOf[access.RoleCompliance].ID, staffOf[access.RoleCustomerService].ID)
	special["GET /admin/compliance/incidents/{id}"] = []string{"/admin/compliance/incidents/" + notified, "/admin/compliance/incidents/" + open}

	// Issue 16: the patient's copy of their record ready and another being
	// prepared (its progress bar), a disclosure in their accounting; the
	// disclosure form as a pharmacist.
	persona[disclosers] = string(access.RolePharmacist)
	special["GET /staff/patients/{id}/disclosures"] = []string{"/staff/patients/" + patient.ID + "/disclosures"}
	{
		me := access.WithActor(context.Background(), access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if _, err := s.Services().Records.Request(me, s.Tenant.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Records.BuildPending(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Records.Request(me, s.Tenant.ID, patient.ID); err != nil {
			t.Fatal(err)
		}
		sys := access.WithActor(context.Background(), access.System("courier", s.Tenant.ID))
		if _, err := s.Services().Accounting.RecordDisclosure(sys, s.Tenant.ID, patient.ID, accounting.DisclosureInput{Details: accounting.Details{
			Recipient: "Speedy Couriers Ltd, 400 Long Industrial Estate Road, Springfield", Purpose: "Delivery of order",
			Sent: "Name, delivery address and parcel size of a very long order description that must wrap at phone width"}}); err != nil {
			t.Fatal(err)
		}
	}
	// Digital forms (issue 18): an intake questionnaire the cart's product
	// still needs (checkout names it), and a consent with every kind of
	// question, sent by the patient.
	{
		mctx := access.WithActor(context.Background(), access.Actor{ID: staffOf[access.RoleStoreManager].ID, Role: access.RoleStoreManager, TenantID: s.Tenant.ID})
		if _, err := s.Services().Forms.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Intake questionnaire for a product with a long name",
			Class: access.DataRx, Attach: forms.Product, Target: long.ID,
			Fields: []forms.Field{{Key: "ok", Label: "Have you used this before?", Type: forms.YesNo, Required: true}}}); err != nil {
			t.Fatal(err)
		}
		consent, err := s.Services().Forms.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Telehealth consent", Intro: "Please read and sign.",
			Class: access.DataRx, Attach: forms.Portal, Fields: []forms.Field{
				{Key: "yes", Label: "Have you had a video visit before?", Type: forms.YesNo, Required: true},
				{Key: "when", Label: "When was the last one?", Type: forms.Date, ShowWhen: "yes", Help: "An approximate date is fine."},
				{Key: "weight", Label: "Weight in kilograms", Type: forms.Number},
				{Key: "device", Label: "Which device will you use?", Type: forms.Choice, Options: []string{"Phone", "Tablet", "Computer"}},
				{Key: "needs", Label: "Anything we should arrange?", Type: forms.Multi, Options: []string{"Interpreter", "Captions", "A carer present"}},
				{Key: "note", Label: "Anything else", Type: forms.Text},
				{Key: "id", Label: "A photo of your ID", Type: forms.File},
				{Key: "sign", Label: "I consent to care by video", Type: forms.Signature, Required: true}}})
		if err != nil {
			t.Fatal(err)
		}
		me := access.WithActor(context.Background(), access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		resp, err := s.Services().Forms.Submit(me, s.Tenant.ID, patient.ID, consent.ID, consent.Version, url.Values{"a_yes": {"yes"},
			"a_when": {"2026-01-02"}, "a_weight": {"72.5"}, "a_device": {"Phone"}, "a_needs": {"Captions"},
			"a_note":      {"A very long note that must wrap at phone width without pushing the page sideways at all"},
			"a_sign_name": {"Pat Doe"}, "a_sign_date": {s.Clock.Now().UTC().Format(time.DateOnly)}, "a_sign_assent": {"yes"}},
			map[string]forms.Upload{"a_id": {Name: "id.png", Type: "image/png", Data: []byte("\x89PNG")}})
		if err != nil {
			t.Fatal(err)
		}
		special["GET /account/forms/{id}"] = []string{"/account/forms/" + consent.ID}
		special["GET /account/forms/responses/{id}"] = []string{"/account/forms/responses/" + resp.ID}
		special["GET /admin/forms/{id}"] = []string{"/admin/forms/" + consent.ID}
		special["GET /staff/patients/{id}/forms"] = []string{"/staff/patients/" + patient.ID + "/forms"}
		// A landing page's contact form (issue 18 point 1), sent once by a
		// visitor; the responses as a pharmacist (who reads contact data).
		contact, err := s.Services().Forms.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Ask our pharmacists about diabetes care",
			Class: access.DataContact, Attach: forms.Page, Target: "diabetes-month", Fields: []forms.Field{
				{Key: "email", Label: "Your email address", Type: forms.Text, Required: true},
				{Key: "question", Label: "Your question", Help: "Please leave out anything you would not write on a postcard.", Type: forms.Text}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Forms.SubmitVisitor(context.Background(), s.Tenant.ID, "diabetes-month", contact.Version, url.Values{
			"a_email": {"a.visitor.with.a.long.address@example.com"}, "a_question": {"Which meter works with the strips on the page that is long?"}}, nil); err != nil {
			t.Fatal(err)
		}
		special["GET /pages/{slug}/form"] = []string{"/pages/diabetes-month/form"}
		special["GET /pages/{slug}/thanks"] = []string{"/pages/diabetes-month/thanks"}
		special["GET /staff/forms/{id}/responses"] = []string{"/staff/forms/" + contact.ID + "/responses"}
		special["GET /legal/{page}"] = []string{"/legal/privacy", "/legal/terms"}
	}
	// API tokens (issue 18 point 4): a personal token with a long name, one
	// used and one revoked; a service token on the admin's page.
	{
		ctx := context.Background()
		toks := s.Services().APITokens
		long, err := toks.Create(ctx, s.Tenant.ID, apitokens.KindPersonal, patient.ID, apitokens.Request{
			Name: "Blood glucose diary for the family tablet, kitchen", Scopes: []string{"orders:read", "lists:read", "results:read"}, Days: "365"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := toks.Authenticate(ctx, s.Tenant.ID, long.Token); err != nil {
			t.Fatal(err)
		}
		old, err := toks.Create(ctx, s.Tenant.ID, apitokens.KindPersonal, patient.ID, apitokens.Request{Name: "Old app", Scopes: []string{"orders:read"}, Days: "30"})
		if err != nil {
			t.Fatal(err)
		}
		if err := toks.Revoke(ctx, s.Tenant.ID, apitokens.KindPersonal, patient.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := toks.Create(ctx, s.Tenant.ID, apitokens.KindService, id.New(), apitokens.Request{Name: "Warehouse integration",
			Scopes: []string{"orders:read"}, Days: "90", Role: access.RoleFulfillment}); err != nil {
			t.Fatal(err)
		}
	}
	// OAuth (issue 18 point 4): an app with a long name and long redirect
	// URIs on the admin's page, connected for the patient; the consent page
	// and its error page (an unknown app).
	{
		ctx := context.Background()
		app := oauth.Client{ID: oauth.NewClientID(), TenantID: s.Tenant.ID, Name: "Family Health Companion for Phones and Tablets",
			RedirectURIs: []string{"com.example.familyhealthcompanion.production:/oauth/callback/after-sign-in", "https://app.family-health-companion.example/oauth/callback"},
			Scopes:       apitokens.Scopes}
		if err := s.Services().OAuth.RegisterClient(ctx, app); err != nil {
			t.Fatal(err)
		}
		verifier := oauth2.GenerateVerifier()
		authReq := oauth.AuthRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.RedirectURIs[0],
			Challenge: oauth2.S256ChallengeFromVerifier(verifier), Method: "S256"}
		p, err := s.Services().OAuth.Prepare(ctx, s.Tenant.ID, authReq)
		if err != nil {
			t.Fatal(err)
		}
		code, err := s.Services().OAuth.Approve(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
			s.Tenant.ID, patient.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().OAuth.Token(ctx, s.Tenant.ID, oauth.TokenRequest{GrantType: "authorization_code", ClientID: app.ID, Code: code,
			RedirectURI: app.RedirectURIs[0], Verifier: verifier}); err != nil {
			t.Fatal(err)
		}
		q := url.Values{"response_type": {"code"}, "client_id": {app.ID}, "redirect_uri": {app.RedirectURIs[0]}, "state": {"x"},
			"code_challenge": {authReq.Challenge}, "code_challenge_method": {"S256"}}
		special["GET /oauth/authorize"] = []string{"/oauth/authorize?" + q.Encode(), "/oauth/authorize?client_id=app_unknown"}
	}
	// White label (issue 20): the brand's organisation with a sister
	// brand whose patient shares their record here, cared for by the
	// clinician; the admin holds the organisation's admin role.
	var sharedRecord string
	{
		ctx := context.Background()
		now := s.Clock.Now()
		org := group // the organisation of the shared catalog, above
		sister := &tenant.Tenant{ID: id.New(), Slug: "travel", Name: "Salve Travel Clinic", Hostnames: []string{"travel.test", "travel-clinic-with-a-long-name.test"},
			OrgID: org.ID, Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
		if err := tenants.Create(ctx, sister); err != nil {
			t.Fatal(err)
		}
		if err := tenants.SetSetting(ctx, org.ID, tenant.SetFooter, "Salve Care Group: pharmacies and travel clinics", now); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		gr := s.Services().Grants
		if _, err := gr.GrantOrgRole(access.WithActor(ctx, access.System("org-role", s.Tenant.ID)), org.ID, s.Tenant.ID, staffOf[access.RoleAdmin].Email, access.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		traveller := s.NewPersonIn(t, sister, access.RolePatient)
		if _, err := gr.ShareWithBrand(access.WithActor(ctx, access.Actor{ID: traveller.ID, Role: access.RolePatient, TenantID: sister.ID}),
			s.Tenant.ID, []string{"clinical", "contact"}); err != nil {
			t.Fatal(err)
		}
		adm := staffOf[access.RoleAdmin]
		if err := gr.AddSharedCare(access.WithActor(ctx, access.Actor{ID: adm.ID, Role: access.RoleAdmin, TenantID: s.Tenant.ID}), s.Tenant.ID,
			staffOf[access.RoleClinician].ID, sister.ID, traveller.ID); err != nil {
			t.Fatal(err)
		}
		sharedRecord = "/staff/shared/" + sister.ID + "/" + traveller.ID
		special["GET /staff/shared"] = nil              // the caring clinician, below
		special["GET /staff/shared/{brand}/{id}"] = nil // the caring clinician, below
		special["GET /admin/organisation"] = nil        // the organisation's admin, below
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
		visit{"/account", "proxy"}, visit{"/account/for/" + patient.ID, "proxy"},
		visit{"/staff/patients/" + patient.ID, "breaking-glass"}, // with the emergency banner
		// The clinician caring for the patient: the clinical sections.
		visit{"/staff/patients/" + patient.ID, string(access.RoleClinician)})
	// Issue 20: the organisation's page as its admin; the shared records
	// as the clinician given their care (and the empty list as customer
	// service).
	visits = append(visits, visit{"/admin/organisation", "admin"}, visit{"/staff/shared", string(access.RoleClinician)},
		visit{sharedRecord, string(access.RoleClinician)}, visit{"/staff/shared", string(access.RoleCustomerService)})
	visits = append(visits, visit{"/admin/catalog/organisation/products", "org-manager"}, visit{"/admin/catalog/organisation/products/new", "org-manager"},
		visit{"/admin/catalog/organisation/products/" + shared.ID, "org-manager"}, visit{"/admin/catalog/organisation", "org-manager"})
	// Issue 19: the admin's view of vendors and webhooks (no vendor forms).
	visits = append(visits, visit{"/admin/compliance/vendors", "admin"}, visit{"/admin/compliance/webhooks", "admin"})
	visits = append(visits,
		// Patient rights (issue 16): the clinician caring for the patient
		// decides corrections; the patient's dashboard with the targeted offer.
		visit{"/staff/amendments", string(access.RoleClinician)},
		visit{"/staff/amendments/" + amendIDs["pending"], string(access.RoleClinician)},
		// Customer service decides profile corrections.
		visit{"/staff/amendments", string(access.RoleCustomerService)},
		visit{"/staff/amendments/" + amendIDs["profile"], string(access.RoleCustomerService)},
		visit{"/account/results/" + lipidID, "patient"})

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

// seedVendorsAndWebhooks fills the compliance officer's vendors and webhooks
// pages (issue 19).
func seedVendorsAndWebhooks(t *testing.T, s *testkit.Server) {
	t.Helper()
	ctx := context.Background()
	comp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: s.Tenant.ID})
	vs, hooks := s.Services().Vendors, s.Services().Webhooks
	now := s.Clock.Now()
	mailer, err := vs.Add(comp, s.Tenant.ID, vendors.Input{Name: "Relay Mail Services of North America, Incorporated", Service: "email relay",
		Contact: "agreements@relay-mail-services.example", SignedOn: now.AddDate(-1, 0, 0).Format(vendors.DateLayout),
		ExpiresOn: now.AddDate(1, 0, 0).Format(vendors.DateLayout), Notes: "renews every year in November"})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.Upload(comp, s.Tenant.ID, mailer.ID, []byte("%PDF-1.7\nsigned agreement")); err != nil {
		t.Fatal(err)
	}
	if err := vs.Bind(comp, s.Tenant.ID, vendors.SMTP, mailer.ID); err != nil {
		t.Fatal(err)
	}
	hooksVendor, err := vs.Add(comp, s.Tenant.ID, vendors.Input{Name: "Hooks Ltd", Service: "order events", Contact: "ops@hooks.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.Allow(ctx, s.Tenant.ID, vendors.BackupS3); err == nil {
		t.Fatal("an unbound backup target was allowed")
	}
	sub, _, err := hooks.Subscribe(comp, s.Tenant.ID, webhooks.Input{URL: "https://hooks.example/salve/events/with/a/rather/long/path/to/wrap",
		Events: []string{webhooks.OrderPaid, webhooks.OrderShipped}, VendorID: hooksVendor.ID}, vs)
	if err != nil {
		t.Fatal(err)
	}
	if err := hooks.SendTest(comp, s.Tenant.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
}

// seedIncidents records two incidents (issue 19): a breach of the
// patient's record by a customer service account, assessed, its letter
// written and the notices sent; and an open one just recorded.
func seedIncidents(t *testing.T, s *testkit.Server, patientID, officerID, readerID string) (string, string) {
	t.Helper()
	ctx := context.Background()
	svc := s.Services().Incidents
	officer := access.WithActor(ctx, access.Actor{ID: officerID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
	reader := access.WithActor(ctx, access.Actor{ID: readerID, Role: access.RoleCustomerService, TenantID: s.Tenant.ID})
	at := s.Clock.Now().Add(-2 * time.Hour)
	if err := s.Stores.AuditLog.Append(reader, audit.Entry{Time: at, TenantID: s.Tenant.ID, Subjects: []string{patientID}, Action: "user.read",
		ResourceType: "user", ResourceID: patientID, Purpose: access.PurposeOperations, Outcome: audit.Allowed, Severity: audit.Normal}); err != nil {
		t.Fatal(err)
	}
	today := s.Clock.Now().UTC().Format(incidents.DateLayout)
	breach, err := svc.Create(officer, s.Tenant.ID, incidents.Input{Title: "A customer service login read records without a reason to",
		DiscoveredOn: today, Description: "Reported by a colleague; the audit log shows reads of records with no open order or message.",
		BreachType: "unauthorized access or disclosure", Systems: []string{"portal", "email"}, DataClasses: []string{"names", "orders", "prescriptions"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SelectAffected(officer, s.Tenant.ID, breach.ID, incidents.Selection{Kind: incidents.ByAccount, ActorID: readerID,
		From: at.Add(-time.Minute), To: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Assess(officer, s.Tenant.ID, breach.ID, incidents.Assessment{Nature: "Names, order history and prescription names.",
		Recipient: "A member of staff with no reason to read them.", Acquired: "Viewed on screen; nothing was exported.",
		Mitigation: "The login was disabled the same day and the staff member interviewed.", Conclusion: incidents.Breach}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetLetter(officer, s.Tenant.ID, breach.ID, incidents.Letter{
		WhatHappened: "A member of our staff looked at customer records without a work reason. We found this in our access records.",
		Information:  "Your name, the products you ordered and the names of your prescriptions.",
		Steps:        "You do not need to do anything. Be careful with calls or emails that claim to be from us and ask for details.",
		Doing:        "We disabled the staff member's access, reviewed every record they opened and retrained our team.",
		Contact:      "Call 1-800-555-0100 (toll-free), write to privacy@pharmacy.test, or write to Privacy Officer, 1 Main Street, Springfield."}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Notify(officer, s.Tenant.ID, breach.ID); err != nil {
		t.Fatal(err)
	}
	open, err := svc.Create(officer, s.Tenant.ID, incidents.Input{Title: "A laptop was left on a train", DiscoveredOn: today,
		Description: "The laptop is encrypted; we are checking whether it held any exported reports.", Systems: []string{"laptop or device"}})
	if err != nil {
		t.Fatal(err)
	}
	return breach.ID, open.ID
}

// deliveredWithReturn places an order of two units of variant with the test
// gateway, takes it to delivered and asks to return one unit; it returns the
// order's id.
func deliveredWithReturn(t *testing.T, s *testkit.Server, asPatient context.Context, patientID, variant string) string {
	t.Helper()
	svc := s.Services().Orders
	o, err := svc.Place(asPatient, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: patientID,
		Items:    []orders.ItemRef{{VariantID: variant, Quantity: 2}},
		Address:  orders.Address{Name: "Pat Doe", Line1: "12 Quince Lane", City: "Springfield", Region: "NY", PostalCode: "10001"},
		Shipping: "standard", Region: "NY", Gateway: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ful := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleFulfillment, TenantID: s.Tenant.ID})
	if _, err := svc.Advance(ful, s.Tenant.ID, o.ID, orders.StepPrepare, orders.Links{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Ship(ful, s.Tenant.ID, o.ID, orders.Shipment{Carrier: "usps", Tracking: "9400111899223344556677"}, orders.Links{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Advance(ful, s.Tenant.ID, o.ID, orders.StepDeliver, orders.Links{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RequestReturn(asPatient, s.Tenant.ID, o.ID, orders.ReturnRequest{Quantities: map[int]int64{0: 1},
		Reason: "Bought two by mistake; one is still sealed in its box"}); err != nil {
		t.Fatal(err)
	}
	return o.ID
}
