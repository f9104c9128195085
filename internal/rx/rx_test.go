package rx_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// env is the prescription and order services on fresh stores, wired as the
// server wires them (grants for access, the outbox for the reminder).
type env struct {
	*testkit.Stores
	ids     server.Identity
	Rx      *rx.Service
	Orders  *orders.Service
	Catalog *catalog.Service
	Outbox  *outbox.Outbox
}

func newEnv(t *testing.T, e store.Engine) *env {
	t.Helper()
	st := testkit.NewStores(t, e)
	ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil)
	ids := server.NewIdentity(st.PHI, st.Vault, st.AuditLog, ob, server.IdentityOptions{Clock: st.Clock, Argon2: testkit.TestArgon2})
	variants := store.NewCarts(st.Catalog)
	svc := rx.New(rx.Deps{Store: store.NewRx(st.PHI), Vault: st.Vault, Audit: st.AuditLog, Auth: ids.Grants, Catalog: variants, Outbox: ob,
		Contacts: ids.Accounts.Email, Links: func(context.Context, string) (string, string) { return "Test Pharmacy", "https://pharmacy.test" },
		Reminders: ids.Accounts.WantsReminders, Clock: st.Clock, Log: st.Log.Logger()})
	ord := orders.New(orders.Deps{Orders: store.NewOrders(st.PHI), Stock: store.NewStock(st.Catalog), Catalog: variants,
		Promotions: promo.NewService(store.NewPromotions(st.Catalog), st.Clock), Vault: st.Vault, Audit: st.AuditLog, Outbox: ob,
		Contacts: ids.Accounts.Email, Facts: ids.Grants.Facts, Prescriptions: svc,
		Gateways: []payment.Gateway{payment.NewTest(), payment.Invoice{}}, Clock: st.Clock, Log: st.Log.Logger()})
	svc.SetVerified(ord.CoverWaiting)
	return &env{Stores: st, ids: ids, Rx: svc, Orders: ord, Catalog: catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock), Outbox: ob}
}

// person makes an account of a role and returns its id and a context acting
// as it.
func (en *env) person(t *testing.T, role access.Role) (string, context.Context) {
	t.Helper()
	email := string(role) + "-" + id.New()[24:] + "@example.com"
	uid, err := en.ids.Accounts.CreateUser(context.Background(), en.Tenant.ID, role, email, "", testkit.PersonPassword)
	if err != nil {
		t.Fatal(err)
	}
	return uid, access.WithActor(context.Background(), access.Actor{ID: uid, Role: role, TenantID: en.Tenant.ID})
}

func (en *env) product(t *testing.T, name string, needsRx bool) catalog.Variant {
	t.Helper()
	p := &catalog.Product{Name: name, RequiresPrescription: needsRx,
		Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 1200, Stock: 50}}}
	if err := en.Catalog.SaveProduct(context.Background(), en.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	return p.Variants[0]
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)

// submitAndVerify has a patient upload a prescription and a pharmacist
// verify it for a variant with the given refills.
func (en *env) submitAndVerify(t *testing.T, patient, pharmacist context.Context, uid, variantID string, refills int) *rx.Prescription {
	t.Helper()
	p, err := en.Rx.Submit(patient, en.Tenant.ID, uid, rx.Submission{File: pngBytes})
	if err != nil {
		t.Fatal(err)
	}
	v, err := en.Rx.Decide(pharmacist, en.Tenant.ID, p.ID, verification(p.Version, variantID, refills))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func verification(version int64, variantID string, refills int) rx.Verification {
	return rx.Verification{Version: version, Drug: "Atorvastatin", Strength: "20 mg", Quantity: 30, Refills: refills,
		Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01", DaysSupply: 30, VariantID: variantID}
}

func events(t *testing.T, en *env, subject string) []audit.Record {
	t.Helper()
	recs, err := en.AuditLog.Find(context.Background(), audit.Query{TenantID: en.Tenant.ID, Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func countRows(t *testing.T, en *env, table string) int {
	t.Helper()
	var n int
	if err := en.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSubmitChecksTheContent: an upload is taken for what its bytes are,
// never its name; a renamed executable posing as a PDF, an 11 MB file and a
// form with neither a file nor a prescriber get a clear error naming the
// field, and nothing is stored. A PNG and a named prescriber are stored,
// sealed.
func TestSubmitChecksTheContent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		bad := map[string]rx.Submission{
			"an ELF executable named .pdf": {File: append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 100)...)},
			"a Windows executable":         {File: append([]byte("MZ\x90\x00"), []byte("%PDF-1.7 later in the file")...)},
			"an 11 MB PDF":                 {File: append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'a'}, 11<<20)...)},
			"cut off over 10 MB":           {File: []byte("%PDF-1.7\n"), TooLarge: true},
			"nothing at all":               {},
			"a prescriber without a phone": {PrescriberName: "Dr Rivera"},
		}
		for name, sub := range bad {
			_, err := en.Rx.Submit(me, en.Tenant.ID, uid, sub)
			ae := apperr.As(err)
			if ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
				t.Errorf("%s: %v, want an Invalid error naming a field", name, err)
			}
		}
		if n := countRows(t, en, "rx_prescriptions") + countRows(t, en, "rx_uploads"); n != 0 {
			t.Fatalf("bad input stored %d rows", n)
		}
		for _, f := range [][]byte{pngBytes, []byte("\xff\xd8\xff\xe0 jpeg"), []byte("%PDF-1.4\n%%EOF")} {
			if _, err := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{File: f}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{PrescriberName: "Dr Ana Rivera", PrescriberPhone: "555-0100"}); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, en, "rx_uploads"); n != 3 {
			t.Fatalf("%d uploads, want 3", n)
		}
		// Sealed: neither the file nor the prescriber is in the PHI store.
		var sealed []byte
		if err := en.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT data_ct FROM rx_uploads WHERE content_type = 'image/png'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("PNG")) {
			t.Error("the upload is stored in the clear")
		}
		list, err := en.Rx.List(me, en.Tenant.ID, uid)
		if err != nil || len(list) != 4 {
			t.Fatalf("list: %v %d", err, len(list))
		}
		asked := 0
		for _, p := range list {
			if p.Status != rx.Pending {
				t.Errorf("%s: %s", p.ID, p.Status)
			}
			if p.PrescriberAsked == "Dr Ana Rivera" && p.PrescriberPhone == "555-0100" && p.Source == rx.SourcePrescriber {
				asked++
			}
		}
		if asked != 1 {
			t.Errorf("the named prescriber is not kept")
		}
	})
}

// TestWhoSeesPrescriptions: the patient, their proxy with the rx scope and
// the tenant's pharmacists read them; another patient, a proxy without the
// rx scope, fulfilment and another tenant's pharmacist get the same
// NotFound. Only a pharmacist opens the uploaded paper.
func TestWhoSeesPrescriptions(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		p, err := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{File: pngBytes})
		if err != nil {
			t.Fatal(err)
		}
		carerID, carer := en.person(t, access.RolePatient)
		ordersOnlyID, ordersOnly := en.person(t, access.RolePatient)
		for who, scopes := range map[string][]string{carerID: {"rx"}, ordersOnlyID: {"orders"}} {
			email, err := en.ids.Accounts.Email(access.WithActor(context.Background(), access.System("test", en.Tenant.ID)), en.Tenant.ID, who)
			if err != nil {
				t.Fatal(err)
			}
			if err := en.ids.Grants.GrantProxy(me, email, scopes); err != nil {
				t.Fatal(err)
			}
		}
		en.ids.After.Wait() // the grants are made after the answer
		_, pharm := en.person(t, access.RolePharmacist)
		_, other := en.person(t, access.RolePatient)
		_, fulfil := en.person(t, access.RoleFulfillment)
		foreignPharm := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RolePharmacist, TenantID: id.New()})

		for name, ctx := range map[string]context.Context{"patient": me, "proxy with rx": carer, "pharmacist": pharm} {
			if _, err := en.Rx.Get(ctx, en.Tenant.ID, p.ID); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if _, err := en.Rx.Summary(ctx, en.Tenant.ID, uid); err != nil {
				t.Errorf("%s summary: %v", name, err)
			}
		}
		for name, ctx := range map[string]context.Context{"other patient": other, "proxy for orders only": ordersOnly,
			"fulfilment": fulfil, "other tenant's pharmacist": foreignPharm} {
			if _, err := en.Rx.Get(ctx, en.Tenant.ID, p.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: %v, want NotFound", name, err)
			}
			if _, err := en.Rx.Summary(ctx, en.Tenant.ID, uid); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s summary: %v, want NotFound", name, err)
			}
			if _, err := en.Rx.Document(ctx, en.Tenant.ID, p.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s document: %v, want NotFound", name, err)
			}
		}
		for name, ctx := range map[string]context.Context{"patient": me, "proxy with rx": carer} {
			if _, err := en.Rx.Document(ctx, en.Tenant.ID, p.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s opened the document: %v", name, err)
			}
		}
		doc, err := en.Rx.Document(pharm, en.Tenant.ID, p.ID)
		if err != nil || doc.ContentType != rx.TypePNG || !bytes.Equal(doc.Data.Reveal(), pngBytes) {
			t.Fatalf("pharmacist document: %v", err)
		}
		if recs := events(t, en, uid); !testkit.HasEvent(recs, "rx.document", audit.Allowed) {
			t.Error("opening the document was not audited")
		}
	})
}

// TestTwoPharmacistsVerifyAtOnce: exactly one decision is kept; the other
// pharmacist hears a Conflict.
func TestTwoPharmacistsVerifyAtOnce(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		v := en.product(t, "Atorvastatin 20 mg", true)
		p, err := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{File: pngBytes})
		if err != nil {
			t.Fatal(err)
		}
		_, a := en.person(t, access.RolePharmacist)
		_, b := en.person(t, access.RolePharmacist)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, ctx := range []context.Context{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dec := verification(p.Version, v.ID, 2)
				if i == 1 {
					dec = rx.Verification{Version: p.Version, Reject: true, Reason: "The paper is unreadable."}
				}
				_, errs[i] = en.Rx.Decide(ctx, en.Tenant.ID, p.ID, dec)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("the loser: %v, want a Conflict", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d decisions kept, want 1: %v", won, errs)
		}
		got, err := en.Rx.Get(me, en.Tenant.ID, p.ID)
		if err != nil || got.Version != 2 || (got.Status == rx.Rejected) != (errs[1] == nil) {
			t.Fatalf("after the race: %v %+v", err, got)
		}
	})
}

// TestDecideChecksInput: a verification with missing or impossible fields,
// or a product that needs no prescription, is refused field by field and
// changes nothing; a rejection needs a reason, which the patient then reads.
func TestDecideChecksInput(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		otc := en.product(t, "Plasters", false)
		p, err := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{File: pngBytes})
		if err != nil {
			t.Fatal(err)
		}
		bad := verification(p.Version, otc.ID, -1)
		bad.Drug, bad.ExpiresOn = "", "2026-10-01"
		_, err = en.Rx.Decide(pharm, en.Tenant.ID, p.ID, bad)
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid {
			t.Fatalf("bad verification: %v", err)
		}
		for _, f := range []string{"drug", "refills", "expires_on", "variant"} {
			if ae.Fields[f] == "" {
				t.Errorf("no error on %s: %v", f, ae.Fields)
			}
		}
		if _, err := en.Rx.Decide(pharm, en.Tenant.ID, p.ID, rx.Verification{Version: p.Version, Reject: true}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a rejection without a reason: %v", err)
		}
		if _, err := en.Rx.Decide(me, en.Tenant.ID, p.ID, verification(p.Version, otc.ID, 1)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a patient deciding: %v", err)
		}
		got, _ := en.Rx.Get(me, en.Tenant.ID, p.ID)
		if got.Status != rx.Pending || got.Version != 1 {
			t.Fatalf("bad input changed it: %+v", got)
		}
		if _, err := en.Rx.Decide(pharm, en.Tenant.ID, p.ID, rx.Verification{Version: p.Version, Reject: true, Reason: "Signed by no one."}); err != nil {
			t.Fatal(err)
		}
		if got, _ = en.Rx.Get(me, en.Tenant.ID, p.ID); got.Status != rx.Rejected || got.Reason != "Signed by no one." {
			t.Fatalf("rejected: %+v", got)
		}
	})
}

// TestOrderWaitsForAPrescription: a paid order of a prescription product
// stays awaiting_rx until a pharmacist verifies a prescription for it; then
// it moves on to ready and uses one fill. A later order is covered at once,
// until the fills run out. A prescription for another product covers
// nothing.
func TestOrderWaitsForAPrescription(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		statin, other := en.product(t, "Atorvastatin 20 mg", true), en.product(t, "Metformin 500 mg", true)
		place := func() *orders.Order {
			o, err := en.Orders.Place(me, orders.PlaceRequest{TenantID: en.Tenant.ID, UserID: uid,
				Items:    []orders.ItemRef{{VariantID: statin.ID, Quantity: 1}},
				Address:  orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
				Shipping: "standard", Gateway: "test", Brand: "Test Pharmacy", BaseURL: "https://pharmacy.test"})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		status := func(o *orders.Order) orders.Status {
			got, err := en.Orders.Get(me, en.Tenant.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Status
		}
		first := place()
		if st := status(first); st != orders.AwaitingRx {
			t.Fatalf("first order: %s", st)
		}
		en.submitAndVerify(t, me, pharm, uid, other.ID, 3) // another product
		if st := status(first); st != orders.AwaitingRx {
			t.Fatalf("covered by another product's prescription: %s", st)
		}
		p := en.submitAndVerify(t, me, pharm, uid, statin.ID, 1) // 2 fills
		if st := status(first); st != orders.Ready {
			t.Fatalf("after verification: %s", st)
		}
		if st := status(place()); st != orders.Ready {
			t.Fatalf("second order, one fill left: %s", st)
		}
		third := place()
		if st := status(third); st != orders.AwaitingRx {
			t.Fatalf("third order, no fill left: %s", st)
		}
		got, _ := en.Rx.Get(me, en.Tenant.ID, p.ID)
		if got.FillsLeft != 0 {
			t.Fatalf("fills left %d", got.FillsLeft)
		}
		// A release by hand does not skip the check either.
		if _, err := en.Orders.Advance(pharm, en.Tenant.ID, third.ID, orders.StepRelease, orders.Links{}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("release without a prescription: %v", err)
		}
		// An expired prescription covers nothing.
		en.submitAndVerify(t, me, pharm, uid, statin.ID, 5)
		if st := status(third); st != orders.Ready {
			t.Fatalf("third order after a new prescription: %s", st)
		}
		en.Clock.Advance(400 * 24 * time.Hour)
		if st := status(place()); st != orders.AwaitingRx {
			t.Fatalf("covered by an expired prescription: %s", st)
		}
	})
}

// TestTwoFillsRaceForTheLastRefill: two orders covering at once with one
// fill left: exactly one is covered.
func TestTwoFillsRaceForTheLastRefill(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		statin := en.product(t, "Atorvastatin 20 mg", true)
		en.submitAndVerify(t, me, pharm, uid, statin.ID, 0) // one fill
		var wg sync.WaitGroup
		got := make([]bool, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = en.Rx.Cover(me, en.Tenant.ID, uid, id.New(), []string{statin.ProductID})
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0] == got[1] {
			t.Fatalf("covered %v, errors %v: want exactly one", got, errs)
		}
		var fills int
		if err := en.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM rx_fills`).Scan(&fills); err != nil || fills != 1 {
			t.Fatalf("%d fills recorded: %v", fills, err)
		}
	})
}

// TestRefillReminder: before a refill is due the patient gets one email,
// "You have a refill due — sign in", naming no drug; not again until the
// next fill.
func TestRefillReminder(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		statin := en.product(t, "Atorvastatin 20 mg", true)
		en.submitAndVerify(t, me, pharm, uid, statin.ID, 2) // 30 days' supply
		ctx := context.Background()
		if n, err := en.Rx.RemindRefills(ctx); err != nil || n != 0 {
			t.Fatalf("nothing due yet: %d %v", n, err)
		}
		en.Clock.Advance(26 * 24 * time.Hour)
		if n, err := en.Rx.RemindRefills(ctx); err != nil || n != 1 {
			t.Fatalf("due in 4 days: %d %v", n, err)
		}
		if n, err := en.Rx.RemindRefills(ctx); err != nil || n != 0 {
			t.Fatalf("reminded twice: %d %v", n, err)
		}
		admin := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: en.Tenant.ID})
		items, err := en.Outbox.Recent(admin, en.Tenant.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, it := range items {
			if it.Kind != string(notify.RefillDue) {
				continue
			}
			found = true
			m, err := en.Outbox.Open(admin, en.Tenant.ID, it.ID, "no_mail_relay")
			if err != nil {
				t.Fatal(err)
			}
			body := m.Text.Reveal()
			if !strings.Contains(body, "You have a refill due — sign in") || strings.Contains(body, "Atorvastatin") ||
				strings.Contains(m.Subject, "Atorvastatin") || strings.Contains(body, "20 mg") {
				t.Fatalf("reminder: %q / %q", m.Subject, body)
			}
		}
		if !found {
			t.Fatal("no reminder in the outbox")
		}
	})
}

// TestSummary fills the prescriptions widget: a refill-due line with its
// Refill action first, an expired one marked, one SQL statement and one
// audited access for all rows.
func TestSummary(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		uid, me := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		statin := en.product(t, "Atorvastatin 20 mg", true)
		if s, err := en.Rx.Summary(me, en.Tenant.ID, uid); err != nil || s.Total != 0 {
			t.Fatalf("empty: %+v %v", s, err)
		}
		short := verification(1, statin.ID, 0)
		short.ExpiresOn = "2026-12-01"
		p, _ := en.Rx.Submit(me, en.Tenant.ID, uid, rx.Submission{File: pngBytes})
		if _, err := en.Rx.Decide(pharm, en.Tenant.ID, p.ID, short); err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(10 * 24 * time.Hour) // past 1 December
		en.submitAndVerify(t, me, pharm, uid, statin.ID, 2)
		en.Clock.Advance(27 * 24 * time.Hour)
		before := len(events(t, en, uid))
		s, err := en.Rx.Summary(me, en.Tenant.ID, uid)
		if err != nil {
			t.Fatal(err)
		}
		if s.Total != 2 || len(s.Lines) != 2 || s.Note != "1 due" {
			t.Fatalf("summary: %+v", s)
		}
		due, expired := s.Lines[0], s.Lines[1]
		if due.Title != "Atorvastatin 20 mg" || due.Badge != "Refill due" || due.Action == nil || !strings.Contains(due.Detail, "3 fills left") {
			t.Errorf("due line: %+v", due)
		}
		if expired.Badge != "Expired" || expired.Action != nil {
			t.Errorf("expired line: %+v", expired)
		}
		if after := len(events(t, en, uid)); after-before != 1 {
			t.Errorf("%d audit events for one summary, want 1", after-before)
		}
	})
}

// FuzzSniff: whatever the bytes, Sniff names one of the three types or
// none, and a type it names is the one the WHATWG sniffing algorithm
// (http.DetectContentType, which the upload page also asks) finds.
func FuzzSniff(f *testing.F) {
	for _, seed := range [][]byte{pngBytes, []byte("\xff\xd8\xff\xe0"), []byte("%PDF-1.7\n"), []byte("MZ\x90\x00"), []byte("\x7fELF"), {}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := rx.Sniff(b)
		switch got {
		case "":
		case rx.TypeJPEG, rx.TypePNG, rx.TypePDF:
			if http.DetectContentType(b) != got {
				t.Fatalf("Sniff says %s, DetectContentType %s", got, http.DetectContentType(b))
			}
		default:
			t.Fatalf("unknown type %q", got)
		}
	})
}
