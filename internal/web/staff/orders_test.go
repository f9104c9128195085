package staff_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

var address = url.Values{"name": {"Pat Doe"}, "line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"},
	"postal_code": {"10001"}, "shipping": {"standard"}}

var orderURL = regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`)

// product saves an active product with one variant in a tenant.
func product(t *testing.T, s *testkit.Server, tenantID, name string, rx bool) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: name, RequiresPrescription: rx,
		Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 4000, Stock: 5}}}
	if err := s.Catalog().SaveProduct(context.Background(), tenantID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

// buy puts one of the variant in the patient's cart and pays with the
// gateway, through HTTP; it returns the order id.
func buy(t *testing.T, s *testkit.Server, c *http.Client, variantID, gateway string) string {
	t.Helper()
	if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {variantID}, "quantity": {"1"}})); r.StatusCode != 303 {
		t.Fatalf("add to cart: %d", r.StatusCode)
	}
	form := url.Values{"gateway": {gateway}}
	for k, v := range address {
		form[k] = v
	}
	r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", form))
	m := orderURL.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != 303 || m == nil {
		t.Fatalf("pay: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	return m[1]
}

// row returns an order's status and reference as stored.
func row(t *testing.T, s *testkit.Server, orderID string) (status, ref string) {
	t.Helper()
	if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT status, reference FROM orders WHERE id = $1`, orderID).Scan(&status, &ref); err != nil {
		t.Fatal(err)
	}
	return status, ref
}

func stockOf(t *testing.T, s *testkit.Server, variantID string) int64 {
	t.Helper()
	var n int64
	if err := s.Stores.Catalog.Reader().QueryRow(`SELECT stock FROM variants WHERE id = $1`, variantID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mails returns the order emails queued to addr.
func mails(t *testing.T, s *testkit.Server, addr string) []outbox.Item {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.System("test", s.Tenant.ID))
	items, err := s.Services().Outbox.Recent(ctx, s.Tenant.ID, 200)
	if err != nil {
		t.Fatal(err)
	}
	var out []outbox.Item
	for _, it := range items {
		if it.To.Reveal() == addr && strings.HasPrefix(it.Subject, "Order ") {
			out = append(out, it)
		}
	}
	return out
}

// step posts a step and returns the status code and body.
func step(t *testing.T, s *testkit.Server, c *http.Client, orderID, name string) (int, string) {
	t.Helper()
	v := url.Values{}
	if name == "ship" {
		v = url.Values{"carrier": {"usps"}, "tracking": {testTracking}}
	}
	return stepWith(t, s, c, orderID, name, v)
}

// testTracking is the tracking number the tests ship with.
const testTracking = "9400111899223856920000"

func stepWith(t *testing.T, s *testkit.Server, c *http.Client, orderID, name string, v url.Values) (int, string) {
	t.Helper()
	r, body := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/orders/"+orderID+"/"+name, v))
	return r.StatusCode, body
}

// strip removes the request id, the one thing two 404 pages may differ in.
func strip(s string) string {
	return regexp.MustCompile(`<code>[0-9a-f]+</code>`).ReplaceAllString(s, "")
}

// TestPrescriptionOrderFromQueueToDoor walks an Rx order through the staff
// pages with real sign-ins: the pharmacist finds it in the queue, opens it
// (audited with purpose treatment) and releases it; fulfillment may not
// release it but ships and delivers it; the patient sees Delivered; every
// transition queued one email that names neither product nor address; roles
// without order work, another tenant's order and a made-up id get the 404.
func TestPrescriptionOrderFromQueueToDoor(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		rx := product(t, s, s.Tenant.ID, "Zetapril Insulin Pen", true)
		patient := s.NewPerson(t, access.RolePatient)
		pc := s.ClientAs(t, patient)
		orderID := buy(t, s, pc, rx.ID, "test")
		status, ref := row(t, s, orderID)
		if status != "awaiting_rx" {
			t.Fatalf("placed: %s", status)
		}
		pharmacist := s.NewPerson(t, access.RolePharmacist)
		fulfillment := s.NewPerson(t, access.RoleFulfillment)
		rxc, fc := s.ClientAs(t, pharmacist), s.ClientAs(t, fulfillment)

		// The queue: the reference and status, nothing sealed.
		r, body := testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/orders", nil))
		if r.StatusCode != 200 || !strings.Contains(body, ref) || !strings.Contains(body, "/staff/orders/"+orderID) ||
			!strings.Contains(body, "Waiting for prescription verification") {
			t.Fatalf("queue: %d\n%s", r.StatusCode, body)
		}
		if strings.Contains(body, "Zetapril") || strings.Contains(body, "Quince") || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("the queue shows sealed details, or may be cached")
		}
		if !strings.Contains(body, `href="/staff/orders">Orders</a>`) {
			t.Error("no Orders link for a pharmacist")
		}
		if _, body := testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/orders?status=shipped", nil)); strings.Contains(body, ref) {
			t.Error("the shipped filter shows an order waiting for Rx")
		}
		if r, _ := testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/orders?status=lost", nil)); r.StatusCode != 400 {
			t.Errorf("unknown status filter: %d", r.StatusCode)
		}

		// The order: items and address, audited with the pharmacist's purpose;
		// the release button, and no money (minimum necessary).
		r, body = testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/orders/"+orderID, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Zetapril Insulin Pen") || !strings.Contains(body, "12 Quince Lane") ||
			!strings.Contains(body, "/staff/orders/"+orderID+"/release") || strings.Contains(body, "/ship\"") || strings.Contains(body, "$40.00") {
			t.Fatalf("order page: %d\n%s", r.StatusCode, body)
		}
		evs, err := s.AuditLog().Find(context.Background(), audit.Query{TenantID: s.Tenant.ID, ActorID: pharmacist.ID})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, ev := range evs {
			if ev.Action == "order.read" && ev.ResourceID == orderID && ev.Purpose == access.PurposeTreatment && slices.Contains(ev.Subjects, patient.ID) {
				reads++
			}
		}
		if reads != 1 {
			t.Fatalf("order.read by the pharmacist with purpose treatment audited %d times", reads)
		}

		// Fulfillment may not release a prescription, nor ship it before:
		// clear errors, nothing changed.
		if code, body := step(t, s, fc, orderID, "release"); code != 403 || !strings.Contains(body, "pharmacists") {
			t.Fatalf("fulfillment releases: %d", code)
		}
		if code, _ := step(t, s, fc, orderID, "ship"); code != 409 {
			t.Fatalf("shipping before release: %d", code)
		}
		if st, _ := row(t, s, orderID); st != "awaiting_rx" {
			t.Fatalf("a refused step changed the order: %s", st)
		}

		// No prescription covers it yet: the pharmacist's release is refused
		// and changes nothing.
		if code, body := step(t, s, rxc, orderID, "release"); code != 409 || !strings.Contains(body, "prescription") {
			t.Fatalf("release without a prescription: %d", code)
		}
		if st, _ := row(t, s, orderID); st != "awaiting_rx" {
			t.Fatalf("a refused release changed the order: %s", st)
		}
		// The patient uploads a prescription and the pharmacist verifies it
		// (prescriptions_test.go walks those pages): the order moves on.
		verifyPrescription(t, s, pc, rxc, rx.ID)
		if st, _ := row(t, s, orderID); st != "ready" {
			t.Fatalf("after verification: %s", st)
		}
		if code, _ := step(t, s, rxc, orderID, "release"); code != 409 {
			t.Fatalf("second release: %d", code)
		}
		// Fulfillment ships and delivers.
		for _, name := range []string{"ship", "deliver"} {
			if code, body := step(t, s, fc, orderID, name); code != 303 {
				t.Fatalf("%s: %d\n%s", name, code, body)
			}
		}
		if st, _ := row(t, s, orderID); st != "delivered" {
			t.Fatalf("after deliver: %s", st)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/orders/"+orderID, nil))
		if !strings.Contains(body, `<strong id="order-status">Delivered</strong>`) {
			t.Fatal("the patient does not see Delivered")
		}
		// The carrier and tracking number, with the carrier's tracking page.
		if !strings.Contains(body, "Shipped with USPS, tracking number "+testTracking) ||
			!strings.Contains(body, `href="https://tools.usps.com/go/TrackConfirmAction?tLabels=`+testTracking+`" rel="noreferrer noopener"`) {
			t.Fatal("the patient does not see the tracking number and its link")
		}
		if _, body := testkit.Do(t, fc, s.NewRequest(t, "GET", "/staff/orders/"+orderID, nil)); !strings.Contains(body, "Shipped with USPS, tracking number "+testTracking) {
			t.Fatal("fulfillment does not see the tracking number")
		}
		// Cancelling after shipping is refused and changes nothing.
		cs := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
		if code, _ := step(t, s, cs, orderID, "cancel"); code != 409 {
			t.Fatalf("cancel after delivery: %d", code)
		}
		if st, _ := row(t, s, orderID); st != "delivered" {
			t.Fatalf("a refused cancel changed the order: %s", st)
		}

		// One email per transition: placed (awaiting Rx), ready, shipped,
		// delivered; each with the reference and nothing bought or where.
		ms := mails(t, s, patient.Email)
		if len(ms) != 4 {
			t.Fatalf("%d order emails, want 4", len(ms))
		}
		subjects := map[string]bool{}
		for _, m := range ms {
			text := m.Subject + m.Text.Reveal()
			if !strings.Contains(m.Subject, ref) || !strings.Contains(text, "/account/orders") {
				t.Errorf("email without reference or link: %q", m.Subject)
			}
			for _, secret := range []string{"Zetapril", "Insulin", "Quince", "Pat Doe", orderID} {
				if strings.Contains(text, secret) {
					t.Errorf("an email tells %q: %s", secret, text)
				}
			}
			subjects[m.Subject] = true
		}
		for _, want := range []string{"is waiting for prescription verification", "is being prepared", "has shipped", "was delivered"} {
			if !subjects["Order "+ref+" "+want] {
				t.Errorf("no email %q in %v", want, subjects)
			}
		}
		if strings.Contains(s.Log.String(), "Zetapril") || strings.Contains(s.Log.String(), "Quince") {
			t.Error("PHI in the log")
		}

		// Roles without order work: the plain 404 on every page.
		for _, role := range []access.Role{access.RoleStoreManager, access.RoleAdmin, access.RoleClinician, access.RoleCompliance} {
			c := s.ClientAs(t, s.NewPerson(t, role))
			_, plain := testkit.Do(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, path := range []string{"/staff/orders", "/staff/orders/" + orderID} {
				r, body := testkit.Do(t, c, s.NewRequest(t, "GET", path, nil))
				if r.StatusCode != 404 || strip(body) != strip(plain) {
					t.Errorf("%s on %s: %d", role, path, r.StatusCode)
				}
			}
			if code, _ := step(t, s, c, orderID, "refund"); code != 404 {
				t.Errorf("%s refunds: %d", role, code)
			}
		}

		// Another tenant's order and a made-up id: the same plain 404.
		ctx := context.Background()
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		ov := product(t, s, other.ID, "Foreign Pen", false)
		foreign := s.NewPersonIn(t, other, access.RolePatient)
		fo, err := s.Services().Orders.Place(access.WithActor(ctx, access.Actor{ID: foreign.ID, Role: access.RolePatient, TenantID: other.ID}),
			orders.PlaceRequest{TenantID: other.ID, UserID: foreign.ID, Items: []orders.ItemRef{{VariantID: ov.ID, Quantity: 1}},
				Address:  orders.Address{Name: "F", Line1: "1 Far Rd", City: "X", Region: "NY", PostalCode: "10001"},
				Shipping: "standard", Region: "NY", Gateway: "test", Brand: other.Name, BaseURL: "http://other.test"})
		if err != nil {
			t.Fatal(err)
		}
		_, plain := testkit.Do(t, fc, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, oid := range []string{fo.ID, id.New(), "nope"} {
			r, body := testkit.Do(t, fc, s.NewRequest(t, "GET", "/staff/orders/"+oid, nil))
			if r.StatusCode != 404 || strip(body) != strip(plain) {
				t.Errorf("order %s of another tenant or made up: %d", oid, r.StatusCode)
			}
			if code, body := step(t, s, fc, oid, "prepare"); code != 404 || strip(body) != strip(plain) {
				t.Errorf("step on order %s of another tenant or made up: %d", oid, code)
			}
		}
		if st, _ := row(t, s, fo.ID); st != "paid" {
			t.Fatalf("another tenant's order changed: %s", st)
		}
	})
}

// TestRefundAndCancel: customer service refunds through the test gateway
// once however often it is posted, stock comes back when the order had not
// shipped, a cancel after shipping is refused, and a cancel before shipping
// gives the payment back too; fulfillment may not refund.
func TestRefundAndCancel(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		gw := s.Services().TestGateway
		v := product(t, s, s.Tenant.ID, "Vitamin D3 Drops", false)
		patient := s.NewPerson(t, access.RolePatient)
		pc := s.ClientAs(t, patient)
		cs := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
		fc := s.ClientAs(t, s.NewPerson(t, access.RoleFulfillment))

		// Refund before shipping, posted twice: refunded once, stock back.
		o1 := buy(t, s, pc, v.ID, "test")
		if stockOf(t, s, v.ID) != 4 {
			t.Fatalf("stock after buying: %d", stockOf(t, s, v.ID))
		}
		if code, _ := step(t, s, fc, o1, "refund"); code != 403 {
			t.Fatalf("fulfillment refunds: %d", code)
		}
		// Customer service sees the money.
		if _, body := testkit.Do(t, cs, s.NewRequest(t, "GET", "/staff/orders/"+o1, nil)); !strings.Contains(body, "$40.00") ||
			!strings.Contains(body, "/refund") {
			t.Fatal("customer service's order page has no totals or refund button")
		}
		charged := gw.Total()
		if code, body := step(t, s, cs, o1, "refund"); code != 303 {
			t.Fatalf("refund: %d\n%s", code, body)
		}
		if code, _ := step(t, s, cs, o1, "refund"); code != 409 {
			t.Fatalf("second refund: %d", code)
		}
		if gw.Refunded() != charged {
			t.Fatalf("refunded %d of %d", gw.Refunded(), charged)
		}
		if st, _ := row(t, s, o1); st != "refunded" || stockOf(t, s, v.ID) != 5 {
			t.Fatalf("after refund: %s, stock %d", st, stockOf(t, s, v.ID))
		}

		// Shipped: cancel is refused and changes nothing; a refund gives
		// the money back but not the stock (it left the building).
		o2 := buy(t, s, pc, v.ID, "test")
		if code, _ := step(t, s, fc, o2, "prepare"); code != 303 {
			t.Fatalf("prepare: %d", code)
		}
		// Shipping needs a known carrier and a tracking number: without
		// them the order stays ready and the page says what is missing.
		for _, v := range []url.Values{{}, {"carrier": {"pigeon"}, "tracking": {testTracking}}, {"carrier": {"ups"}, "tracking": {"12<script>"}}} {
			if code, body := stepWith(t, s, fc, o2, "ship", v); code != 400 || !strings.Contains(body, "tracking number") {
				t.Fatalf("ship with %v: %d", v, code)
			}
			if st, _ := row(t, s, o2); st != "ready" {
				t.Fatalf("a refused shipment changed the order: %s", st)
			}
		}
		for _, name := range []string{"ship"} {
			if code, _ := step(t, s, fc, o2, name); code != 303 {
				t.Fatalf("%s: %d", name, code)
			}
		}
		refunded := gw.Refunded()
		if code, _ := step(t, s, cs, o2, "cancel"); code != 409 {
			t.Fatalf("cancel after shipping: %d", code)
		}
		if st, _ := row(t, s, o2); st != "shipped" || gw.Refunded() != refunded || stockOf(t, s, v.ID) != 4 {
			t.Fatalf("a refused cancel changed something: %s, refunded %d, stock %d", st, gw.Refunded(), stockOf(t, s, v.ID))
		}
		if code, _ := step(t, s, cs, o2, "refund"); code != 303 {
			t.Fatalf("refund after shipping: %d", code)
		}
		if gw.Refunded() != gw.Total() || stockOf(t, s, v.ID) != 4 { // both orders paid, both refunded
			t.Fatalf("refund after shipping: refunded %d, stock %d", gw.Refunded(), stockOf(t, s, v.ID))
		}

		// Cancel before shipping: stock back and the payment refunded.
		o3 := buy(t, s, pc, v.ID, "test")
		refunded = gw.Refunded()
		if code, _ := step(t, s, cs, o3, "cancel"); code != 303 {
			t.Fatalf("cancel: %d", code)
		}
		if st, _ := row(t, s, o3); st != "cancelled" || stockOf(t, s, v.ID) != 4 || gw.Refunded() == refunded {
			t.Fatalf("after cancel: %s, stock %d, refunded %d", st, stockOf(t, s, v.ID), gw.Refunded())
		}
		for _, m := range mails(t, s, patient.Email) {
			if strings.Contains(m.Subject+m.Text.Reveal(), "Vitamin") || strings.Contains(m.Text.Reveal(), "Quince") {
				t.Fatalf("an email tells too much: %s", m.Text.Reveal())
			}
		}
	})
}

// TestInvoiceMarkPaid: an invoice order waits in the default queue; only
// customer service marks it paid, after which an Rx order waits for the
// pharmacist with its stock confirmed; its refund is by hand.
func TestInvoiceMarkPaid(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		rx := product(t, s, s.Tenant.ID, "Metoprolol Tablets", true)
		patient := s.NewPerson(t, access.RolePatient)
		orderID := buy(t, s, s.ClientAs(t, patient), rx.ID, "invoice")
		st, ref := row(t, s, orderID)
		if st != "pending_payment" {
			t.Fatalf("invoice order: %s", st)
		}
		cs := s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService))
		if _, body := testkit.Do(t, cs, s.NewRequest(t, "GET", "/staff/orders", nil)); !strings.Contains(body, ref) {
			t.Fatal("the invoice order is not in the default queue")
		}
		for _, role := range []access.Role{access.RolePharmacist, access.RoleFulfillment} {
			if code, _ := step(t, s, s.ClientAs(t, s.NewPerson(t, role)), orderID, "mark-paid"); code != 403 {
				t.Fatalf("%s marks paid: %d", role, code)
			}
		}
		if code, body := step(t, s, cs, orderID, "mark-paid"); code != 303 {
			t.Fatalf("mark paid: %d\n%s", code, body)
		}
		if st, _ := row(t, s, orderID); st != "awaiting_rx" {
			t.Fatalf("after mark paid: %s", st)
		}
		res, err := store.NewStock(s.Stores.Catalog).Reserved(context.Background(), s.Tenant.ID, orderID)
		if err != nil || res[rx.ID] != "confirmed" {
			t.Fatalf("stock not confirmed: %v %v", res, err)
		}
		if code, _ := step(t, s, cs, orderID, "mark-paid"); code != 409 {
			t.Fatalf("second mark paid: %d", code)
		}
		// An invoice is refunded by hand: marked, and staff are told so.
		r, _ := testkit.Do(t, cs, s.NewRequest(t, "POST", "/staff/orders/"+orderID+"/refund", url.Values{}))
		if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "?done=manual") {
			t.Fatalf("invoice refund: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if _, body := testkit.Do(t, cs, s.NewRequest(t, "GET", r.Header.Get("Location"), nil)); !strings.Contains(body, "give the money back by hand") {
			t.Fatal("no note that the money goes back by hand")
		}
		if s.Services().TestGateway.Refunded() != 0 {
			t.Fatal("an invoice order was refunded through the card gateway")
		}
		if ms := mails(t, s, patient.Email); len(ms) != 3 {
			t.Fatalf("%d emails, want 3 (placed with its invoice, awaiting Rx, refunded)", len(ms))
		}
	})
}
