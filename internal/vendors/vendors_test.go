package vendors_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vendors"
)

func as(st *testkit.Stores, r access.Role) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: r, TenantID: st.Tenant.ID})
}

func newService(st *testkit.Stores) *vendors.Service {
	return vendors.New(vendors.Deps{Store: store.NewVendors(st.PHI), Vault: st.Vault, Audit: st.AuditLog, Clock: st.Clock, Log: st.Log.Logger()})
}

// TestRelayWithoutCurrentBAASendsNothing: with a mail relay and no vendor
// on file, queued email is never handed to the relay; the refusal is on the
// compliance page, in the audit log as a high denial and in the log without
// the address. Once the compliance officer records the relay's vendor with a
// current BAA, the same email goes; once that BAA has expired, nothing goes
// again.
func TestRelayWithoutCurrentBAASendsNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		svc := newService(st)
		relay := testkit.StartSMTPServer(t, "", "", nil)
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: relay.Addr, From: "shop@pharmacy.test", TLS: notify.TLSNone})
		if err != nil {
			t.Fatal(err)
		}
		ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, sender, st.Clock, st.Log.Logger())
		ob.SetGate(svc)
		sys := access.WithActor(context.Background(), access.System("test", st.Tenant.ID))
		queue := func(to string) {
			t.Helper()
			msg, err := notify.Compose(notify.OrderStatus, to, notify.Params{Brand: "Test Pharmacy", Link: "https://pharmacy.test/account/orders", Reference: "A1B2", Status: "paid"})
			if err != nil {
				t.Fatal(err)
			}
			if err := ob.Enqueue(sys, st.Tenant.ID, id.New(), notify.OrderStatus, msg); err != nil {
				t.Fatal(err)
			}
		}
		queue("pat@example.com")
		if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("deliver without a vendor: %d %v", n, err)
		}
		if m := relay.Messages(); len(m) != 0 {
			t.Fatalf("the relay was handed %d messages without a BAA", len(m))
		}
		comp := as(st, access.RoleCompliance)
		o, err := svc.Overview(comp, st.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Refusals) != 1 || o.Refusals[0].Integration != vendors.SMTP || !strings.Contains(o.Refusals[0].Reason, "no vendor") {
			t.Fatalf("refusals: %+v", o.Refusals)
		}
		recs, err := st.AuditLog.Find(context.Background(), audit.Query{TenantID: st.Tenant.ID, Outcome: audit.Denied})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Action != "integration.refused" || recs[0].Severity != audit.High {
			t.Fatalf("audit: %+v", recs)
		}
		if logs := st.Log.String(); !strings.Contains(logs, "integration refused") || strings.Contains(logs, "pat@example.com") {
			t.Fatalf("log: %s", logs)
		}
		// The relay's vendor, with a BAA in force, bound to the relay.
		today := st.Clock.Now()
		v, err := svc.Add(comp, st.Tenant.ID, vendors.Input{Name: "Mailer Inc", Service: "email relay", Contact: "baa@mailer.test",
			SignedOn: today.AddDate(0, 0, -1).Format(vendors.DateLayout), ExpiresOn: today.AddDate(0, 1, 0).Format(vendors.DateLayout)})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Bind(comp, st.Tenant.ID, vendors.SMTP, v.ID); err != nil {
			t.Fatal(err)
		}
		st.Clock.Advance(outbox.HoldRefused)
		if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("deliver with a current BAA: %d %v", n, err)
		}
		if m := relay.Messages(); len(m) != 1 {
			t.Fatalf("relay got %d", len(m))
		}
		// The BAA runs out: nothing leaves.
		st.Clock.Advance(40 * 24 * time.Hour)
		queue("other@example.com")
		if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("deliver after expiry: %d %v", n, err)
		}
		if m := relay.Messages(); len(m) != 1 {
			t.Fatalf("relay got %d after the BAA expired", len(m))
		}
		o, err = svc.Overview(comp, st.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Refusals) != 2 || !strings.Contains(o.Refusals[0].Reason, "expired") {
			t.Fatalf("refusals after expiry: %+v", o.Refusals)
		}
	})
}

// TestVendorFormAndSignedBAA: bad input is refused field by field and saves
// nothing; only the compliance officer edits (an admin may look); the signed
// BAA must be a PDF by its content, is stored sealed, and opens again as it
// was.
func TestVendorFormAndSignedBAA(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		st := testkit.NewStores(t, e)
		svc := newService(st)
		comp, admin := as(st, access.RoleCompliance), as(st, access.RoleAdmin)
		_, err := svc.Add(comp, st.Tenant.ID, vendors.Input{Name: "Mailer", SignedOn: "2026-13-01", ExpiresOn: "2025-01-01"})
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid || ae.Fields["service"] == "" || ae.Fields["contact"] == "" || ae.Fields["signed_on"] == "" {
			t.Fatalf("bad input: %v %+v", err, ae)
		}
		_, err = svc.Add(comp, st.Tenant.ID, vendors.Input{Name: "Mailer", Service: "email", Contact: "x", SignedOn: "2026-02-01", ExpiresOn: "2026-01-01"})
		if ae := apperr.As(err); ae == nil || ae.Fields["expires_on"] == "" {
			t.Fatalf("expiry before signing: %v", err)
		}
		if _, err := svc.Add(admin, st.Tenant.ID, vendors.Input{Name: "Mailer", Service: "email", Contact: "x"}); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("admin adds a vendor: %v", err)
		}
		if list, err := svc.Vendors(admin, st.Tenant.ID); err != nil || len(list) != 0 {
			t.Fatalf("after refused input: %d %v", len(list), err)
		}
		v, err := svc.Add(comp, st.Tenant.ID, vendors.Input{Name: "Mailer", Service: "email relay", Contact: "legal@mailer.test",
			SignedOn: "2026-01-01", ExpiresOn: "2027-12-31", Notes: "renews yearly"})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Upload(comp, st.Tenant.ID, v.ID, []byte("this is not a pdf, whatever its name")); apperr.As(err) == nil || apperr.As(err).Fields["document"] == "" {
			t.Fatalf("non-PDF upload: %v", err)
		}
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("Business Associate Agreement "), 40)...)
		if err := svc.Upload(admin, st.Tenant.ID, v.ID, pdf); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("admin uploads: %v", err)
		}
		if err := svc.Upload(comp, st.Tenant.ID, v.ID, pdf); err != nil {
			t.Fatal(err)
		}
		var ct []byte
		if err := st.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT document_ct FROM vendors`).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ct, []byte("Business Associate")) || bytes.Contains(ct, []byte("%PDF")) {
			t.Fatal("the BAA is stored in the clear")
		}
		got, err := svc.Document(admin, st.Tenant.ID, v.ID)
		if err != nil || !bytes.Equal(got, pdf) {
			t.Fatalf("document: %v", err)
		}
		// Another tenant's officer sees nothing of it.
		other := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: id.New()})
		if _, err := svc.Document(other, st.Tenant.ID, v.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("other tenant: %v", err)
		}
		list, err := svc.Vendors(admin, st.Tenant.ID)
		if err != nil || len(list) != 1 || !list[0].Current || !list[0].HasDocument {
			t.Fatalf("vendors: %+v %v", list, err)
		}
	})
}

// TestPHIFreeIntegrationsSayWhy: an integration that claims to carry no PHI
// must say why, and the built-in Stripe one does.
func TestPHIFreeIntegrationsSayWhy(t *testing.T) {
	r := vendors.NewRegistry(vendors.Builtin()...)
	if err := r.Declare(vendors.Integration{Key: "crm", Name: "CRM"}); err == nil {
		t.Fatal("an integration declared PHI-free without a reason was accepted")
	}
	in, ok := r.Get(vendors.Stripe)
	if !ok || in.CarriesPHI || !strings.Contains(in.PHIFree, "order reference and amount") {
		t.Fatalf("stripe: %+v", in)
	}
	if err := r.Declare(vendors.Integration{Key: "fax", Name: "Fax gateway", CarriesPHI: true}); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Get("fax"); !ok {
		t.Fatal("a declared integration is missing")
	}
}
