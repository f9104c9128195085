package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestLandingPageForm: on each engine, a store manager puts a contact form
// on a published landing page (one form a page: a second is refused); the
// page links it; a visitor without an account gets per-question errors
// with what they typed and nothing stored, then sends it and sees the
// thank-you page; the answers are sealed under a subject of their own (not
// in the clear, the seal audited); a signed-in patient sends it too; past
// five sendings from one address the next is refused (429) and stores
// nothing. Customer service and pharmacists (who read contact data) read
// the responses; fulfillment, a clinician, the store manager, the admin
// and the compliance officer get the plain 404, as does a form that is not
// on a landing page.
func TestLandingPageForm(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		if err := s.Catalog().SavePage(ctx, &catalog.Page{TenantID: s.Tenant.ID, Slug: "ask-us", Title: "Ask a pharmacist", Body: "We answer within a day.", Published: true}); err != nil {
			t.Fatal(err)
		}
		mgr := s.NewPerson(t, access.RoleStoreManager)
		mctx := access.WithActor(ctx, access.Actor{ID: mgr.ID, Role: access.RoleStoreManager, TenantID: s.Tenant.ID})
		def := forms.Definition{Title: "Send us your question", Class: access.DataContact, Attach: forms.Page, Target: "ask-us", Fields: []forms.Field{
			{Key: "email", Label: "Your email address", Type: forms.Text, Required: true},
			{Key: "question", Label: "Your question", Type: forms.Text, Required: true}}}
		svc := s.Services().Forms
		if _, err := svc.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Draft", Class: access.DataContact, Attach: forms.Page, Target: "no-such-page",
			Fields: def.Fields}); err == nil {
			t.Fatal("a form was put on a page that does not exist")
		}
		f, err := svc.Save(mctx, s.Tenant.ID, "", def)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Save(mctx, s.Tenant.ID, "", def); apperr.As(err) == nil || !strings.Contains(apperr.As(err).Fields["page"], "a page has one form") {
			t.Fatalf("a second form on the page: %v", err)
		}
		visitor := s.Client()
		if r, body := get(t, visitor, s.NewRequest(t, "GET", "/pages/ask-us", nil)); r.StatusCode != 200 || !strings.Contains(body, `href="/pages/ask-us/form"`) {
			t.Fatalf("the landing page does not link its form: %d", r.StatusCode)
		}
		if r, body := get(t, visitor, s.NewRequest(t, "GET", "/pages/ask-us/form", nil)); r.StatusCode != 200 || !strings.Contains(body, `action="/pages/ask-us/form"`) ||
			!strings.Contains(body, `<label for="a_email">Your email address`) {
			t.Fatalf("the form page: %d", r.StatusCode)
		}
		if r, _ := get(t, visitor, s.NewRequest(t, "GET", "/pages/diabetes-none/form", nil)); r.StatusCode != 404 {
			t.Fatalf("a page without a form: %d", r.StatusCode)
		}
		send := func(question string) (int, string) {
			t.Helper()
			r, body := get(t, visitor, s.NewRequest(t, "POST", "/pages/ask-us/form", url.Values{"version": {"1"}, "a_email": {"pat@example.com"}, "a_question": {question}}))
			return r.StatusCode, body
		}
		// Bad input: each question says what is wrong, what was typed stays.
		r, body := get(t, visitor, s.NewRequest(t, "POST", "/pages/ask-us/form", url.Values{"version": {"1"}, "a_email": {"pat@example.com"}}))
		if r.StatusCode != 422 || !strings.Contains(body, "Answer this question.") || !strings.Contains(body, `value="pat@example.com"`) && !strings.Contains(body, ">pat@example.com</textarea>") {
			t.Fatalf("a missing answer: %d", r.StatusCode)
		}
		if n := countRowsOf(t, s, "form_responses"); n != 0 {
			t.Fatalf("%d responses stored from bad input", n)
		}
		code, _ := send("Do the Accu-Chek strips fit my meter?")
		if code != 303 {
			t.Fatalf("send: %d", code)
		}
		if r, body := get(t, visitor, s.NewRequest(t, "GET", "/pages/ask-us/thanks", nil)); r.StatusCode != 200 || !strings.Contains(body, "Thank you") {
			t.Fatalf("thank-you page: %d", r.StatusCode)
		}
		recs, err := store.NewFormResponses(s.Stores.PHI).ByForm(ctx, s.Tenant.ID, f.ID, 10)
		if err != nil || len(recs) != 1 {
			t.Fatalf("stored: %d %v", len(recs), err)
		}
		if strings.Contains(string(recs[0].AnswersCT), "Accu-Chek") {
			t.Fatal("the answers are stored in the clear")
		}
		if !hasAction(auditOf(t, s, recs[0].PatientID), "form_response.submit") {
			t.Fatal("the seal of the answers is not audited under their subject")
		}
		// A signed-in patient sends it too: its own subject again.
		pc := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		if r, _ := get(t, pc, s.NewRequest(t, "POST", "/pages/ask-us/form", url.Values{"version": {"1"}, "a_email": {"p@example.com"}, "a_question": {"Signed in"}})); r.StatusCode != 303 {
			t.Fatalf("a signed-in patient's sending: %d", r.StatusCode)
		}
		// Throttled per address: five sendings, then 429 and nothing stored.
		for i := 0; i < 3; i++ {
			if code, _ := send("again"); code != 303 {
				t.Fatalf("sending %d: %d", i+3, code)
			}
		}
		if code, body := send("one too many"); code != 429 || !strings.Contains(body, "Try again in") || !strings.Contains(body, "one too many") {
			t.Fatalf("the sixth sending: %d", code)
		}
		if n := countRowsOf(t, s, "form_responses"); n != 5 {
			t.Fatalf("%d responses stored, want 5", n)
		}
		// Reading: the roles of the contact class, and nobody else.
		path := "/staff/forms/" + f.ID + "/responses"
		for _, role := range []access.Role{access.RoleCustomerService, access.RolePharmacist} {
			if r, body := get(t, s.ClientAs(t, s.NewPerson(t, role)), s.NewRequest(t, "GET", path, nil)); r.StatusCode != 200 || !strings.Contains(body, "Do the Accu-Chek strips fit my meter?") {
				t.Errorf("%s reading the responses: %d", role, r.StatusCode)
			}
		}
		for _, role := range []access.Role{access.RoleFulfillment, access.RoleClinician, access.RoleStoreManager, access.RoleAdmin, access.RoleCompliance, access.RolePatient} {
			if r, body := get(t, s.ClientAs(t, s.NewPerson(t, role)), s.NewRequest(t, "GET", path, nil)); r.StatusCode != 404 || strings.Contains(body, "Accu-Chek") {
				t.Errorf("%s reading the responses: %d, want 404", role, r.StatusCode)
			}
		}
		portal, err := svc.Save(mctx, s.Tenant.ID, "", forms.Definition{Title: "Consent", Class: access.DataContact, Attach: forms.Portal, Fields: def.Fields})
		if err != nil {
			t.Fatal(err)
		}
		if r, _ := get(t, s.ClientAs(t, s.NewPerson(t, access.RoleCustomerService)), s.NewRequest(t, "GET", "/staff/forms/"+portal.ID+"/responses", nil)); r.StatusCode != 404 {
			t.Fatalf("a portal form's responses on the landing page: %d", r.StatusCode)
		}
	})
}
