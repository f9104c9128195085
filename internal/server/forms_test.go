package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// intakeValues is the builder's post of an intake questionnaire for a
// product: a yes/no question, a text question asked only after a yes, a
// choice, and a signature.
func intakeValues(productID, class string) url.Values {
	return url.Values{"title": {"Weight-loss intake"}, "intro": {"A pharmacist reads this before your order ships."},
		"class": {class}, "attach": {"product"}, "target": {productID}, "n": {"4"}, "op": {"save"},
		"f0_key": {"other_meds"}, "f0_label": {"Do you take other medicines?"}, "f0_type": {"yesno"}, "f0_required": {"yes"},
		"f1_key": {"which"}, "f1_label": {"Which ones?"}, "f1_type": {"text"}, "f1_required": {"yes"}, "f1_show_when": {"other_meds"},
		"f2_key": {"goal"}, "f2_label": {"Your goal"}, "f2_type": {"choice"}, "f2_options": {"Lose weight\nKeep weight"},
		"f3_key": {"sign"}, "f3_label": {"I confirm my answers are true"}, "f3_type": {"signature"}, "f3_required": {"yes"}}
}

var formLink = regexp.MustCompile(`href="/account/forms/([0-9a-f-]{36})\?next=checkout"`)

// multipartForm encodes values as the fill page's multipart post, with
// files by input name.
func multipartForm(t *testing.T, s *testkit.Server, path string, v url.Values, files map[string][]byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, x := range vs {
			if err := mw.WriteField(k, x); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k, data := range files {
		fw, err := mw.CreateFormFile(k, "scan.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := s.NewRequest(t, "POST", path, nil)
	req.Body = io.NopCloser(&buf)
	req.ContentLength = int64(buf.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// TestIntakeFormBlocksCheckout: a store manager builds an intake
// questionnaire and attaches it to a product; a patient with that product in
// the cart cannot check out (no order, no stock held, no charge) until they
// have completed it, is shown where to complete it, gets per-question errors
// for bad answers, and checks out once it is sent. An edit makes version 2;
// the answer stays tied to version 1, and exports as FHIR.
func TestIntakeFormBlocksCheckout(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Semaglutide pen", RequiresPrescription: false, Variants: []catalog.Variant{{SKU: "SG-" + id.New()[24:], Price: 9900, Stock: 5}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, p); err != nil {
			t.Fatal(err)
		}
		mgr := s.ClientAs(t, s.NewPerson(t, access.RoleStoreManager))
		// Builder steps store nothing: add a question, then save.
		v := intakeValues(p.ID, "rx")
		v.Set("op", "add")
		if r, body := get(t, mgr, s.NewRequest(t, "POST", "/admin/forms", v)); r.StatusCode != 200 || !strings.Contains(body, "Question 5") {
			t.Fatalf("add a question: %d", r.StatusCode)
		}
		v.Set("op", "save")
		v.Set("target", "")
		if r, body := get(t, mgr, s.NewRequest(t, "POST", "/admin/forms", v)); r.StatusCode != 400 || !strings.Contains(body, "Choose the product") ||
			!strings.Contains(body, "Weight-loss intake") {
			t.Fatalf("save without a product: %d", r.StatusCode)
		}
		v.Set("target", p.ID)
		if r, _ := get(t, mgr, s.NewRequest(t, "POST", "/admin/forms", v)); r.StatusCode != 303 {
			t.Fatalf("save: %d", r.StatusCode)
		}
		patient := s.NewPerson(t, access.RolePatient)
		c := s.ClientAs(t, patient)
		get(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}}))
		pay := url.Values{"gateway": {"test"}, "name": {"Pat Doe"}, "line1": {"12 Quince Lane"}, "city": {"Springfield"},
			"region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}
		r, body := get(t, c, s.NewRequest(t, "POST", "/checkout/pay", pay))
		if r.StatusCode == 303 || !strings.Contains(body, "Complete the questionnaire") {
			t.Fatalf("checkout before the intake form: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if n := countRowsOf(t, s, "orders"); n != 0 {
			t.Fatalf("%d orders placed before the intake form", n)
		}
		if r, body := get(t, c, s.NewRequest(t, "POST", "/checkout", pay)); r.StatusCode == 200 && !strings.Contains(body, "Complete the questionnaire") {
			t.Fatalf("review before the intake form: %d", r.StatusCode)
		}
		_, body = get(t, c, s.NewRequest(t, "GET", "/checkout", nil))
		m := formLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("checkout does not link the questionnaire")
		}
		formID := m[1]
		r, body = get(t, c, s.NewRequest(t, "GET", "/account/forms/"+formID+"?next=checkout", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Answer only if you answered yes to “Do you take other medicines?”") {
			t.Fatalf("fill page: %d", r.StatusCode)
		}
		// Bad answers: each question says what is wrong, nothing is stored.
		today := s.Clock.Now().UTC().Format("2006-01-02")
		bad := url.Values{"version": {"1"}, "next": {"checkout"}, "a_other_meds": {"yes"}, "a_goal": {"Gain weight"},
			"a_sign_name": {"Pat Doe"}, "a_sign_date": {"2001-01-01"}}
		r, body = get(t, c, multipartForm(t, s, "/account/forms/"+formID, bad, nil))
		for _, want := range []string{"Answer this question.", "Choose one of the options.", "Enter today&#39;s date"} {
			if r.StatusCode != 422 || !strings.Contains(body, want) {
				t.Errorf("bad answers: %d, page lacks %q", r.StatusCode, want)
			}
		}
		if n := countRowsOf(t, s, "form_responses"); n != 0 {
			t.Fatalf("%d responses stored from bad answers", n)
		}
		// A no hides the dependent question: its answer is dropped.
		good := url.Values{"version": {"1"}, "next": {"checkout"}, "a_other_meds": {"no"}, "a_which": {"Aspirin"}, "a_goal": {"Lose weight"},
			"a_sign_name": {"Pat Doe"}, "a_sign_date": {today}, "a_sign_assent": {"yes"}}
		r, _ = get(t, c, multipartForm(t, s, "/account/forms/"+formID, good, nil))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/checkout" {
			t.Fatalf("send: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		r, _ = get(t, c, s.NewRequest(t, "POST", "/checkout/pay", pay))
		if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/account/orders/") {
			t.Fatalf("checkout after the intake form: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		// An edit makes version 2; the answer keeps version 1.
		v.Set("f2_options", "Lose weight\nKeep weight\nOther")
		v.Set("version", "1")
		if r, _ := get(t, mgr, s.NewRequest(t, "POST", "/admin/forms/"+formID, v)); r.StatusCode != 303 {
			t.Fatalf("edit: %d", r.StatusCode)
		}
		pctx := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		sent, err := s.Services().Forms.Responses(pctx, s.Tenant.ID, patient.ID)
		if err != nil || len(sent) != 1 {
			t.Fatalf("responses: %d %v", len(sent), err)
		}
		if sent[0].FormVersion != 1 || len(sent[0].Form.Fields[2].Options) != 2 {
			t.Errorf("the answer is read against version %d with %d options", sent[0].FormVersion, len(sent[0].Form.Fields[2].Options))
		}
		if _, ok := sent[0].Answers["which"]; ok {
			t.Error("the answer to a question whose condition was not met was kept")
		}
		if f, _ := s.Services().Forms.Get(ctx, s.Tenant.ID, formID); f.Version != 2 {
			t.Errorf("after an edit the form is version %d", f.Version)
		}
		r, body = get(t, c, s.NewRequest(t, "GET", "/account/forms/responses/"+sent[0].ID, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "version 1") || !strings.Contains(body, "Signed by Pat Doe") {
			t.Errorf("response page: %d", r.StatusCode)
		}
		r, body = get(t, c, s.NewRequest(t, "GET", "/account/forms/responses/"+sent[0].ID+"/fhir", nil))
		if r.StatusCode != 200 || !strings.Contains(body, `"QuestionnaireResponse"`) {
			t.Fatalf("FHIR: %d", r.StatusCode)
		}
		testkit.ValidateFHIR(t, []byte(body))
		// The answers are sealed: the plaintext is not in the row.
		var ct []byte
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT answers_ct FROM form_responses`).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ct, []byte("Pat Doe")) || bytes.Contains(ct, []byte("Lose weight")) {
			t.Error("answers stored in the clear")
		}
		if !hasAction(auditOf(t, s, patient.ID), "form_response.submit") {
			t.Error("the submission is not audited")
		}
	})
}

// TestFormAnswerUnreadableOutsideClass: the answers to a form declaring the
// prescriptions class are read by the patient and a pharmacist; fulfillment,
// customer service, a store manager, an admin, a clinician without a care
// relationship, another patient and another tenant's pharmacist get the
// denial that answers 404, and the denial is audited.
func TestFormAnswerUnreadableOutsideClass(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		svc := s.Services().Forms
		mgr := s.NewPerson(t, access.RoleStoreManager)
		as := func(p testkit.Person) context.Context {
			return access.WithActor(ctx, access.Actor{ID: p.ID, Role: p.Role, TenantID: p.TenantID})
		}
		f, err := svc.Save(as(mgr), s.Tenant.ID, "", forms.Definition{Title: "Medicines consent", Class: access.DataRx, Attach: forms.Portal,
			Fields: []forms.Field{{Key: "allergies", Label: "Allergies", Type: forms.Text, Required: true}}})
		if err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		if _, err := svc.Submit(as(patient), s.Tenant.ID, patient.ID, f.ID, f.Version, url.Values{"a_allergies": {"Penicillin"}}, nil); err != nil {
			t.Fatal(err)
		}
		readers := map[string]testkit.Person{"patient": patient, "pharmacist": s.NewPerson(t, access.RolePharmacist)}
		for name, p := range readers {
			got, err := svc.Responses(as(p), s.Tenant.ID, patient.ID)
			if err != nil || len(got) != 1 || got[0].Answers["allergies"].Value != "Penicillin" {
				t.Errorf("%s: %d %v", name, len(got), err)
			}
		}
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other", Hostnames: []string{"other.test"}, Theme: tenant.DefaultTheme,
			CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		outside := map[string]testkit.Person{"fulfillment": s.NewPerson(t, access.RoleFulfillment),
			"customer service": s.NewPerson(t, access.RoleCustomerService), "store manager": mgr, "admin": s.NewPerson(t, access.RoleAdmin),
			"clinician without care": s.NewPerson(t, access.RoleClinician), "compliance": s.NewPerson(t, access.RoleCompliance),
			"other patient": s.NewPerson(t, access.RolePatient), "other tenant's pharmacist": s.NewPersonIn(t, other, access.RolePharmacist)}
		for name, p := range outside {
			got, err := svc.Responses(as(p), s.Tenant.ID, patient.ID)
			if !apperr.Is(err, apperr.Denied) || got != nil {
				t.Errorf("%s: %d answers, %v (want the denial)", name, len(got), err)
			}
		}
		if !hasAction(auditOf(t, s, patient.ID), "rx.read") {
			t.Error("the denials are not audited")
		}
		// The staff page: the pharmacist sees the answer; fulfillment and
		// customer service (who reach the page for other classes) get the
		// plain 404.
		page := "/staff/patients/" + patient.ID + "/forms"
		if r, body := get(t, s.ClientAs(t, readers["pharmacist"]), s.NewRequest(t, "GET", page, nil)); r.StatusCode != 200 ||
			!strings.Contains(body, "Penicillin") {
			t.Errorf("pharmacist on the staff page: %d", r.StatusCode)
		}
		for _, name := range []string{"fulfillment", "customer service", "clinician without care"} {
			c := s.ClientAs(t, outside[name])
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			if r, body := get(t, c, s.NewRequest(t, "GET", page, nil)); r.StatusCode != 404 || strip(body) != strip(notFound) ||
				strings.Contains(body, "Penicillin") {
				t.Errorf("%s on the staff page: %d", name, r.StatusCode)
			}
		}
	})
}

// TestFormObjectsAnswerLikeAbsence: a patient's sent form, its FHIR download
// and the builder of a form, as other people: another patient, a proxy (the
// pages under /account are the signed-in person's own), a patient and a
// store manager of another tenant, and a made-up id all get exactly the page
// of something that does not exist.
func TestFormObjectsAnswerLikeAbsence(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	mgr := s.NewPerson(t, access.RoleStoreManager)
	mctx := access.WithActor(ctx, access.Actor{ID: mgr.ID, Role: mgr.Role, TenantID: s.Tenant.ID})
	f, err := s.Services().Forms.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Privacy notice", Class: access.DataContact, Attach: forms.Portal,
		Fields: []forms.Field{{Key: "ack", Label: "I received the notice of privacy practices", Type: forms.YesNo, Required: true}}})
	if err != nil {
		t.Fatal(err)
	}
	patient := s.NewPerson(t, access.RolePatient)
	c := s.ClientAs(t, patient)
	if r, _ := get(t, c, s.NewRequest(t, "POST", "/account/forms/"+f.ID, url.Values{"version": {"1"}, "a_ack": {"yes"}})); r.StatusCode != 303 {
		t.Fatalf("send: %d", r.StatusCode)
	}
	sent, err := s.Services().Forms.Responses(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
		s.Tenant.ID, patient.ID)
	if err != nil || len(sent) != 1 {
		t.Fatalf("responses: %v", err)
	}
	if r, _ := get(t, c, s.NewRequest(t, "GET", "/account/forms/responses/"+sent[0].ID, nil)); r.StatusCode != 200 {
		t.Fatalf("own response: %d", r.StatusCode)
	}
	carer := s.NewPerson(t, access.RolePatient)
	if err := s.Services().Grants.GrantProxy(access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID}),
		carer.Email, []string{"contact", "orders"}); err != nil {
		t.Fatal(err)
	}
	s.Services().After.Wait()
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other", Hostnames: []string{"other.test"}, Theme: tenant.DefaultTheme,
		CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	// at is a GET on this tenant's host. Why: a session of another tenant
	// presented here is what a cross-tenant attempt looks like, and it is
	// sent to sign in, as if no one were signed in.
	at := func(_ testkit.Person, path string) *http.Request { return s.NewRequest(t, "GET", path, nil) }
	absent := func(p testkit.Person, r *http.Response, body, notFound string) bool {
		if p.TenantID == other.ID {
			return r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
		}
		return r.StatusCode == 404 && strip(body) == strip(notFound)
	}
	for name, p := range map[string]testkit.Person{"other patient": s.NewPerson(t, access.RolePatient), "proxy": carer,
		"other tenant's patient": s.NewPersonIn(t, other, access.RolePatient)} {
		pc := s.ClientAs(t, p)
		_, notFound := get(t, pc, at(p, "/no/such/page"))
		for _, path := range []string{"/account/forms/responses/" + sent[0].ID, "/account/forms/responses/" + sent[0].ID + "/fhir",
			"/account/forms/responses/" + id.New()} {
			r, body := get(t, pc, at(p, path))
			if !absent(p, r, body, notFound) {
				t.Errorf("%s on %s: %d (want the plain 404)", name, path, r.StatusCode)
			}
		}
		if name == "other tenant's patient" {
			// Another tenant's form is not there for them either.
			r, body := get(t, pc, at(p, "/account/forms/"+f.ID))
			if !absent(p, r, body, notFound) {
				t.Errorf("%s on the form: %d", name, r.StatusCode)
			}
		}
	}
	// In the other tenant the form does not exist at all.
	if _, err := s.Services().Forms.Get(ctx, other.ID, f.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another tenant's form: %v", err)
	}
	om := s.NewPersonIn(t, other, access.RoleStoreManager)
	fm := s.ClientAs(t, om)
	_, notFound := get(t, fm, at(om, "/no/such/page"))
	for _, path := range []string{"/admin/forms/" + f.ID, "/admin/forms/" + f.ID + "/questionnaire"} {
		r, body := get(t, fm, at(om, path))
		if !absent(om, r, body, notFound) {
			t.Errorf("other tenant's manager on %s: %d", path, r.StatusCode)
		}
	}
}
