package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
	"github.com/salvehealth/salve/webhooksig"
)

// uploadBAA posts a file to a vendor's document route.
func uploadBAA(t *testing.T, s *testkit.Server, vendorID string, data []byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("document", "baa.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := s.NewRequest(t, "POST", "/admin/compliance/vendors/"+vendorID+"/document", nil)
	req.Body = io.NopCloser(&b)
	req.ContentLength = int64(b.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// TestVendorsAndWebhooksPages walks issue 19's pages over HTTP on both
// engines: the compliance officer adds a vendor (bad input first: 400, the
// field's error, nothing saved), uploads its BAA (a non-PDF refused), binds
// the relay; an admin sees the page without its forms and is refused every
// change with the plain 404; another tenant's vendor and a made-up id are the
// same 404. A webhook added by the admin shows its secret once; "send test"
// reaches a loopback receiver signed with it.
func TestVendorsAndWebhooksPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e, func(c *config.Config) { c.WebhookLoopbackHTTP = true })
		comp := s.ClientAs(t, s.NewPerson(t, access.RoleCompliance))
		admin := s.ClientAs(t, s.NewPerson(t, access.RoleAdmin))
		ctx := context.Background()

		r, body := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/vendors", url.Values{"name": {"Mailer"}, "service": {""},
			"contact": {"legal@mailer.test"}, "signed_on": {"2026-02-01"}, "expires_on": {"2026-01-01"}}))
		if r.StatusCode != 422 || !strings.Contains(body, "The BAA cannot end before it was signed.") || !strings.Contains(body, `value="legal@mailer.test"`) {
			t.Fatalf("bad vendor: %d", r.StatusCode)
		}
		sys := access.WithActor(ctx, access.System("test", s.Tenant.ID))
		if list, err := s.Services().Vendors.Vendors(sys, s.Tenant.ID); err != nil || len(list) != 0 {
			t.Fatalf("after bad input: %d %v", len(list), err)
		}
		r, _ = get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/vendors", url.Values{"name": {"Mailer"}, "service": {"email relay"},
			"contact": {"legal@mailer.test"}, "signed_on": {"2026-01-01"}, "expires_on": {"2027-12-31"}}))
		if r.StatusCode != 303 {
			t.Fatalf("add vendor: %d", r.StatusCode)
		}
		list, err := s.Services().Vendors.Vendors(sys, s.Tenant.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("vendors: %v", err)
		}
		vid := list[0].ID
		if r, body := get(t, comp, uploadBAA(t, s, vid, []byte("GIF89a not a contract"))); r.StatusCode != 422 || !strings.Contains(body, "not a PDF") {
			t.Fatalf("non-PDF: %d", r.StatusCode)
		}
		if r, _ := get(t, comp, uploadBAA(t, s, vid, []byte("%PDF-1.4\nsigned"))); r.StatusCode != 303 {
			t.Fatalf("PDF: %d", r.StatusCode)
		}
		if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/integrations/smtp", url.Values{"vendor": {vid}, "reason": {"the relay's BAA"}})); r.StatusCode != 303 {
			t.Fatalf("bind: %d", r.StatusCode)
		}
		approvePending(t, s, admin, vendors.KindBinding, "smtp")
		r, body = get(t, admin, s.NewRequest(t, "GET", "/admin/compliance/vendors", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Mailer") || strings.Contains(body, "Add a vendor") || strings.Contains(body, `action="/admin/compliance/integrations`) {
			t.Fatalf("admin's view: %d", r.StatusCode)
		}
		if r, _ := get(t, admin, s.NewRequest(t, "GET", "/admin/compliance/vendors/"+vid+"/document", nil)); r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("admin downloads the BAA: %d", r.StatusCode)
		}
		_, notFound := get(t, admin, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, rq := range []*http.Request{
			s.NewRequest(t, "POST", "/admin/compliance/vendors", url.Values{"name": {"X"}, "service": {"x"}, "contact": {"x"}}),
			s.NewRequest(t, "POST", "/admin/compliance/vendors/"+vid, url.Values{"name": {"X"}, "service": {"x"}, "contact": {"x"}}),
			s.NewRequest(t, "POST", "/admin/compliance/integrations/smtp", url.Values{"vendor": {vid}}),
		} {
			if r, body := get(t, admin, rq); r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("admin %s %s: %d (want the plain 404)", rq.Method, rq.URL.Path, r.StatusCode)
			}
		}
		// Another tenant's vendor, and a made-up id: the same 404 as a page
		// that does not exist, for the compliance officer.
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherComp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: other.ID})
		ov, err := s.Services().Vendors.Add(otherComp, other.ID, vendors.Input{Name: "Theirs", Service: "x", Contact: "x"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Services().Vendors.Upload(otherComp, other.ID, ov.ID, []byte("%PDF-1.4\ntheirs")); err != nil {
			t.Fatal(err)
		}
		_, notFound = get(t, comp, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, target := range []string{ov.ID, id.New()} {
			for _, rq := range []*http.Request{
				s.NewRequest(t, "GET", "/admin/compliance/vendors/"+target+"/document", nil),
				s.NewRequest(t, "POST", "/admin/compliance/vendors/"+target, url.Values{"name": {"X"}, "service": {"x"}, "contact": {"x"}}),
			} {
				if r, body := get(t, comp, rq); r.StatusCode != 404 || strip(body) != strip(notFound) {
					t.Errorf("%s %s: %d (want the plain 404)", rq.Method, rq.URL.Path, r.StatusCode)
				}
			}
		}

		// A webhook, added by the admin, to a loopback receiver.
		var mu sync.Mutex
		var got []*http.Request
		var bodies [][]byte
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			got, bodies = append(got, r), append(bodies, b)
			mu.Unlock()
		}))
		defer recv.Close()
		// Asking to carry PHI adds the webhook ids-only and records a
		// request that a second person approves.
		r, body = get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks", url.Values{"url": {recv.URL}, "events": {"order.paid"},
			"vendor": {vid}, "carry_phi": {"yes"}, "reason": {"order events for the fulfilment partner"}}))
		secret := regexp.MustCompile(`whsec_[A-Za-z0-9_-]+`).FindString(body)
		if r.StatusCode != 200 || secret == "" {
			t.Fatalf("add webhook: %d, secret %q", r.StatusCode, secret)
		}
		if cs, err := s.Services().Changes.List(ctx, s.Tenant.ID, 10); err != nil || !slices.ContainsFunc(cs, func(c changes.Change) bool {
			return c.Kind == webhooks.KindSubscription && c.Status == changes.Pending && c.After["carry_phi"] == "yes"
		}) {
			t.Fatalf("no pending request to add the webhook carrying PHI: %v", err)
		}
		if _, again := get(t, admin, s.NewRequest(t, "GET", "/admin/compliance/webhooks", nil)); strings.Contains(again, secret) {
			t.Fatal("the secret is shown again")
		}
		subs, err := store.NewWebhooks(s.Stores.PHI).Subscriptions(ctx, s.Tenant.ID)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscriptions: %v", err)
		}
		if subs[0].CarryPHI || subs[0].Active() {
			t.Fatal("the webhook sends (or carries PHI) before anyone approved it")
		}
		// Approved by the compliance officer (the second person): it sends,
		// carrying PHI (the officer is one of the two).
		approvePending(t, s, comp, webhooks.KindSubscription, subs[0].ID)
		if sub, err := store.NewWebhooks(s.Stores.PHI).Subscription(ctx, s.Tenant.ID, subs[0].ID); err != nil || !sub.Active() || !sub.CarryPHI {
			t.Fatalf("after approval: active %v, carries PHI %v (%v)", sub.Active(), sub.CarryPHI, err)
		}
		// Asking again without a reason is refused; with one it is recorded.
		if r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+subs[0].ID+"/phi", url.Values{"carry_phi": {"no"}})); r.StatusCode != 422 || !strings.Contains(body, "Say why") {
			t.Fatalf("no reason: %d", r.StatusCode)
		}
		if r, _ := get(t, comp, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+subs[0].ID+"/phi", url.Values{"carry_phi": {"no"}, "reason": {"ids are enough"}})); r.StatusCode != 303 {
			t.Fatalf("ask to stop PHI: %d", r.StatusCode)
		}
		if r, _ := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+subs[0].ID+"/test", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("send test: %d", r.StatusCode)
		}
		if n, err := s.Services().Webhooks.Deliver(ctx, 10); err != nil || n != 1 {
			t.Fatalf("deliver: %d %v", n, err)
		}
		mu.Lock()
		if len(got) != 1 || webhooksig.Verify([]byte(secret), got[0].Header.Get(webhooksig.Header), bodies[0], s.Clock.Now()) != nil {
			t.Fatalf("receiver: %d requests", len(got))
		}
		mu.Unlock()
		if _, page := get(t, admin, s.NewRequest(t, "GET", "/admin/compliance/webhooks", nil)); !strings.Contains(page, "webhook.test") || !strings.Contains(page, ">200<") {
			t.Fatal("the delivery log does not show the test and its 200")
		}
		_, notFound = get(t, admin, s.NewRequest(t, "GET", "/no/such/page", nil))
		if r, body := get(t, admin, s.NewRequest(t, "POST", "/admin/compliance/webhooks/"+id.New()+"/test", url.Values{})); r.StatusCode != 404 || strip(body) != strip(notFound) {
			t.Errorf("test of a made-up webhook: %d", r.StatusCode)
		}
	})
}

// TestWebhookEventsFromDomains: an order paid at checkout, an appointment
// booked, a lab result released and a message from a patient each queue their event for a
// subscription that asked for it; each payload names the thing by its id
// and never the patient.
func TestWebhookEventsFromDomains(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) { c.WebhookLoopbackHTTP = true })
	ctx := context.Background()
	comp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: s.Tenant.ID})
	v, err := s.Services().Vendors.Add(comp, s.Tenant.ID, vendors.Input{Name: "Hooks", Service: "events", Contact: "ops@hooks.test"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	events := map[string]string{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		events[r.Header.Get(webhooksig.EventHeader)] = string(b)
		mu.Unlock()
	}))
	defer recv.Close()
	if _, _, err := s.Services().Webhooks.Subscribe(comp, s.Tenant.ID, webhooks.Input{URL: recv.URL, Events: webhooks.Events(), VendorID: v.ID}, s.Services().Vendors); err != nil {
		t.Fatal(err)
	}
	// An order paid with the test gateway.
	p := &catalog.Product{Name: "Test Strips", Variants: []catalog.Variant{{SKU: "STRIP-1", Price: 1500, Stock: 5}}}
	if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	c := s.ClientAs(t, patient)
	if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}})); r.StatusCode != 303 {
		t.Fatalf("add: %d", r.StatusCode)
	}
	if r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"name": {"Pat Doe"}, "line1": {"1 Main St"},
		"city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"test"}})); r.StatusCode != 303 {
		t.Fatalf("pay: %d", r.StatusCode)
	}
	// An appointment booked, a lab report released.
	doc := s.NewPerson(t, access.RoleClinician)
	if _, err := demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, s.NewPerson(t, access.RoleStoreManager).ID, doc.ID, patient.ID); err != nil {
		t.Fatal(err)
	}
	dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	if _, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, demo.LabHistory(patient.ID, doc.ID, s.Clock.Now())[:1]); err != nil {
		t.Fatal(err)
	}
	// A message from the patient to a team.
	admin := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: s.Tenant.ID})
	team, err := s.Services().Messages.CreateTeam(admin, s.Tenant.ID, "Pharmacy", messaging.KindPharmacy)
	if err != nil {
		t.Fatal(err)
	}
	pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	if _, err := s.Services().Messages.Start(pctx, s.Tenant.ID, patient.ID, messaging.NewThread{TeamID: team.ID,
		Subject: "My refill for Pat Doe", Body: "Pat Doe asks about the refill"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Services().Webhooks.Deliver(ctx, 100); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if body := events[webhooks.MessageReceived]; !strings.Contains(body, `"message_id"`) || !strings.Contains(body, `"thread_id"`) || strings.Contains(body, "refill") {
		t.Errorf("%s: %q", webhooks.MessageReceived, body)
	}
	for ev, key := range map[string]string{webhooks.OrderPaid: "order_id", webhooks.AppointmentBooked: "appointment_id", webhooks.ResultReleased: "result_id",
		webhooks.MessageReceived: "message_id"} {
		body, ok := events[ev]
		if !ok || !strings.Contains(body, `"`+key+`"`) {
			t.Errorf("%s: %q", ev, body)
		}
		if strings.Contains(body, patient.ID) || strings.Contains(body, "Pat Doe") {
			t.Errorf("%s names the patient: %s", ev, body)
		}
	}
}
